import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { enqueue } from "@/lib/queue/enqueue";
import { storeLane } from "@/lib/queue/names";
import { listStores } from "@/lib/stores/replicas";

/**
 * Queues a garbage collection of orphaned partials, blobs and temp files in every online worker's store (any
 * worker's when none is online); each job's result is that store's report.
 */
export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const { dryRun } = z.object({ dryRun: z.boolean().default(true) }).parse(await readJson(req));
  const stores = (await listStores()).filter((s) => s.online);
  const targets = stores.length > 0 ? stores.map((s) => ({ lane: storeLane(s.storeId), workers: s.workers.filter((w) => w.online).map((w) => w.name) })) : [{ lane: null, workers: [] }];
  const jobs = [];
  for (const t of targets) {
    const job = await enqueue({ queue: "maintenance", lane: t.lane, data: { kind: "gc", dryRun }, userId: principal.user.id });
    jobs.push({ id: job.id, workers: t.workers });
  }
  await recordAudit({ actor: principal, action: "maintenance.gc", target: jobs.map((j) => j.id).join(","), detail: { dryRun }, ip });
  return Response.json({ jobs }, { status: 201 });
});
