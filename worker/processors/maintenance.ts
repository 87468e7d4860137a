import { collectGarbage } from "./collect-garbage";
import { removeModelFiles } from "../../lib/models/remove-model-files";
import type { PayloadOf } from "../../lib/queue/payloads";
import { echo } from "./echo";
import type { ProcessorContext } from "./types";

/** Housekeeping on this worker's DATA_DIR: garbage collection, a deleted model's files, and the `echo` smoke-test job. */
export async function maintenance(data: PayloadOf<"maintenance">, ctx: ProcessorContext): Promise<unknown> {
  if (data.kind === "echo") return echo(data, ctx);
  if (data.kind === "delete-files") {
    const bytesFreed = await removeModelFiles(data.model);
    await ctx.progress({ pct: 100, message: `${data.model.name}: freed ${bytesFreed} bytes` });
    return { name: data.model.name, bytesFreed };
  }
  await ctx.progress({ pct: 0, message: data.dryRun ? "looking for garbage (dry run)" : "collecting garbage" });
  const report = await collectGarbage({ dryRun: data.dryRun });
  await ctx.progress({ pct: 100, message: `${report.dryRun ? "would reclaim" : "reclaimed"} ${report.bytesReclaimed} bytes in ${report.items.length} items` });
  return report;
}
