import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { verifyDirectory } from "../../lib/models/verify-directory";
import { serverApi } from "../client";
import { assertSelfContainedFolder } from "../local-folder";
import { followJob } from "./pull";
import { findModel } from "./rm";

/** `depot verify <model|dir>`: a folder is checked right here; a model name asks the server for a verify job. */
export function register(program: Command): void {
  program
    .command("verify <target>")
    .description("verify a model of the inventory (via the server) or a local folder (md5 checklists, SHA256SUMS, hub blobs)")
    .action(async (target: string) => {
      const isDir = await stat(target).then((s) => s.isDirectory(), () => false);
      if (isDir) {
        await assertSelfContainedFolder(target);
        const r = await verifyDirectory({ dir: target, onFile: (p) => process.stderr.write(`checking ${p}\n`) });
        if (r.checks.length === 0) throw new Error(`${target} has no checksums to verify against (no *.chk, SHA256SUMS or hub blobs)`);
        for (const c of r.checks) console.log(`${c.ok ? "OK  " : "FAIL"} ${c.path}${c.ok ? "" : ` (${c.algorithm} expected ${c.expected}, got ${c.actual ?? "missing file"})`}`);
        if (!r.ok) throw new Error(`${r.checks.filter((c) => !c.ok).length} of ${r.checks.length} files failed verification`);
        return;
      }
      const m = await findModel(target);
      const { jobId } = await serverApi<{ jobId: string }>(`/api/models/${m.id}/verify`, { body: {} });
      const job = await followJob(jobId);
      console.log(JSON.stringify(job.result));
    });
}
