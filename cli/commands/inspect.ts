import type { Command } from "commander";
import { inspectGguf } from "../../lib/gguf";

const fmt = (v: unknown) => (typeof v === "bigint" ? v.toString() : JSON.stringify(v));

/** `depot inspect <file.gguf> [--json]`: metadata and tensor table of a GGUF file. */
export function register(program: Command): void {
  program
    .command("inspect <file>")
    .description("show a GGUF file's metadata and tensors")
    .option("--json", "print JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const info = await inspectGguf({ file });
      if (opts.json) {
        console.log(JSON.stringify(info, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
        return;
      }
      console.log(`${file}: GGUF v${info.version}, ${info.architecture ?? "?"}, ${info.fileType ?? "?"}, ${info.bytes.toLocaleString("en")} bytes`);
      const byType = new Map<string, number>();
      for (const t of info.tensors) byType.set(t.type, (byType.get(t.type) ?? 0) + 1);
      const types = [...byType].map(([t, n]) => `${t} ×${n}`).join(", ");
      console.log(`${info.parameterCount.toLocaleString("en")} parameters in ${info.tensors.length} tensors (${types}), ${info.bitsPerWeight.toFixed(2)} bits per weight\n`);
      for (const m of info.metadata) {
        const value = m.length === undefined ? fmt(m.value) : `[${m.length}] ${m.preview!.map(fmt).join(", ")}${m.length > m.preview!.length ? ", …" : ""}`;
        console.log(`${m.key} (${m.itemType ? `${m.type}[${m.itemType}]` : m.type}) = ${value}`);
      }
      console.log("");
      const width = Math.max(...info.tensors.map((t) => t.name.length));
      for (const t of info.tensors) {
        console.log(`${t.name.padEnd(width)}  ${t.type.padEnd(5)}  [${t.shape.join(", ")}]`.padEnd(width + 30) + `${t.bytes.toLocaleString("en").padStart(14)} B  @${t.offset}`);
      }
    });
}
