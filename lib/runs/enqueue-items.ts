import { db } from "../db/prisma";
import { enqueue } from "../queue/enqueue";

/** Batch items run after interactive requests (priority 1). */
export const BATCH_PRIORITY = 10;

/** Puts run items on the inference queue, one job each; `round` makes retried items' job ids new. */
export async function enqueueItems(params: { runId: string; modelId: string | null; userId: string | null; itemIds: string[]; round: string }): Promise<void> {
  for (const id of params.itemIds) {
    const jobId = `runitem-${id}-${params.round}`;
    await db().runItem.update({ where: { id }, data: { jobId } });
    await enqueue({
      queue: "inference",
      jobId,
      data: { kind: "run-item", runItemId: id },
      userId: params.userId,
      modelId: params.modelId ?? undefined,
      priority: BATCH_PRIORITY,
    });
  }
}
