// Prints the README's configuration table from the zod schema, so docs and validation cannot drift apart.
import { envSchema } from "../lib/config/env";

export function configTable(): string {
  const rows = Object.entries(envSchema.shape).map(([name, schema]) => {
    const def = (schema as { def?: { defaultValue?: unknown } }).def?.defaultValue;
    return `| \`${name}\` | ${def === undefined ? "–" : `\`${String(def)}\``} | ${schema.description ?? ""} |`;
  });
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
