import type { Command } from "commander";
import type { ModelDto } from "../../lib/models/model-dto";
import { serverApi } from "../client";

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
/** "gpu-1, gpu-2 (offline)": the workers whose stores hold the model. */
const holders = (m: ModelDto) => m.holders.flatMap((h) => h.workers.map((w) => `${w.name}${w.online ? "" : " (offline)"}`)).join(", ") || "-";

/** `depot models`: the server's inventory. */
export function register(program: Command): void {
  program
    .command("models")
    .description("list the models in the inventory")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { models } = await serverApi<{ models: ModelDto[] }>("/api/models");
      if (opts.json) return console.log(JSON.stringify(models, null, 2));
      if (models.length === 0) return console.log("no models yet: try `depot pull`");
      console.log(`${"name".padEnd(40)} ${"source".padEnd(6)} ${"format".padEnd(6)} ${"status".padEnd(11)} ${"files".padStart(5)} ${"size".padStart(11)}  checksums  workers`);
      for (const m of models) {
        const c = m.checksums;
        console.log(
          `${m.name.padEnd(40)} ${m.source.padEnd(6)} ${m.format.padEnd(6)} ${m.status.padEnd(11)} ${String(m.fileCount).padStart(5)} ${gib(m.bytes).padStart(11)}  ${c.verified} ok, ${c.corrupt} corrupt, ${c.unchecked} unchecked  ${holders(m)}`,
        );
      }
    });
}
