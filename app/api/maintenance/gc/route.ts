import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { enqueue } from "@/lib/queue/enqueue";

/** Queues a garbage collection of orphaned partials, blobs and temp files; the job's result is the report. */
export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const { dryRun } = z.object({ dryRun: z.boolean().default(true) }).parse(await readJson(req));
  const job = await enqueue({ queue: "maintenance", data: { kind: "gc", dryRun }, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "maintenance.gc", target: job.id, detail: { dryRun }, ip });
  return Response.json({ id: job.id }, { status: 201 });
});
