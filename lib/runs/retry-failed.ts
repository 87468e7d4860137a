import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { assertMayAct } from "../jobs/job-actions";
import { enqueueItems } from "./enqueue-items";
import { RunError } from "./errors";

/** Queues a run's failed and cancelled items again (new jobs); the run stays open until they finish. */
export async function retryFailed(params: { id: string; userId: string; actor?: AccessUser }): Promise<{ retried: number }> {
  const run = await db().run.findUnique({ where: { id: params.id } });
  if (!run) throw new RunError("not_found", `run ${params.id} not found`);
  assertMayAct(run.createdById, params.actor, `run ${run.id}`);
  const modelId = run.modelId;
  if (!modelId) throw new RunError("model_deleted", `the model of run ${params.id} was deleted; start a new run`);
  const items = await db().runItem.findMany({ where: { runId: run.id, status: { in: ["failed", "cancelled"] } }, select: { id: true } });
  if (items.length === 0) return { retried: 0 };
  const ids = items.map((i) => i.id);
  await db().runItem.updateMany({ where: { id: { in: ids } }, data: { status: "pending", error: null, output: null, finishedAt: null } });
  await db().run.update({ where: { id: run.id }, data: { status: run.startedAt ? "running" : "queued", finishedAt: null } });
  await enqueueItems({ runId: run.id, modelId, userId: params.userId, itemIds: ids, round: Date.now().toString(36) });
  return { retried: ids.length };
}
