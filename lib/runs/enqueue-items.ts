import { db } from "../db/prisma";
import { enqueue } from "../queue/enqueue";
import { modelLane } from "../queue/names";

/** Batch items run after interactive requests (priority 1). */
export const BATCH_PRIORITY = 10;
/** BullMQ's largest priority. */
const MAX_PRIORITY = 2 ** 21;

/**
 * Puts run items on the inference queue, one job each; `round` makes retried items' job ids new.
 *
 * Fairness between users: an item's priority grows with how many items its user already has waiting, so the
 * queue interleaves users round-robin instead of first-come-first-served. A user with one prompt waits for at
 * most the items already running, however large another user's batch is.
 */
export async function enqueueItems(params: { runId: string; modelId: string; userId: string | null; itemIds: string[]; round: string }): Promise<void> {
  const ahead = params.userId
    ? await db().runItem.count({ where: { status: { in: ["pending", "running"] }, id: { notIn: params.itemIds }, run: { createdById: params.userId } } })
    : 0;
  for (const [k, id] of params.itemIds.entries()) {
    const jobId = `runitem-${id}-${params.round}`;
    await db().runItem.update({ where: { id }, data: { jobId } });
    await enqueue({
      queue: "inference",
      // Only workers whose store holds the model take its items (model affinity).
      lane: modelLane(params.modelId),
      jobId,
      data: { kind: "run-item", runItemId: id },
      userId: params.userId,
      modelId: params.modelId,
      priority: Math.min(MAX_PRIORITY, BATCH_PRIORITY + ahead + k),
    });
  }
}
