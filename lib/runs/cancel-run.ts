import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { assertMayAct, cancelJob } from "../jobs/job-actions";
import { RunError } from "./errors";

/** Stops a run: pending items are cancelled and their jobs removed, running items are told to stop. */
export async function cancelRun(params: { id: string; actor?: AccessUser }): Promise<{ cancelled: number }> {
  const run = await db().run.findUnique({ where: { id: params.id } });
  if (!run) throw new RunError("not_found", `run ${params.id} not found`);
  assertMayAct(run.createdById, params.actor, `run ${run.id}`);
  if (run.status === "completed" || run.status === "cancelled") throw new RunError("finished", `run ${run.id} is already ${run.status}`);
  // The run's status is checked by every item before it starts, so no queued item runs after this.
  await db().run.update({ where: { id: run.id }, data: { status: "cancelled", finishedAt: new Date() } });
  const open = await db().runItem.findMany({ where: { runId: run.id, status: { in: ["pending", "running"] } }, select: { id: true, jobId: true } });
  await db().runItem.updateMany({ where: { runId: run.id, status: "pending" }, data: { status: "cancelled" } });
  for (const item of open) if (item.jobId) await cancelJob(item.jobId).catch(() => {});
  return { cancelled: open.length };
}
