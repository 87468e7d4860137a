// `npx tsx scripts/readme-config.ts` rewrites the README's configuration table from lib/config/env.ts.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { configTable } from "./config-table";

const file = path.resolve(import.meta.dirname, "../README.md");
const START = "<!-- config-table -->";
const END = "<!-- /config-table -->";

export function withConfigTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error("README.md lacks the config-table markers");
  return `${readme.slice(0, a + START.length)}\n${configTable()}\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(file, withConfigTable(readFileSync(file, "utf8")));
