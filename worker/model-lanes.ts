import { db } from "../lib/db/prisma";
import { modelLane } from "../lib/queue/names";
import type { Subscriptions } from "./subscriptions";

/** How often a worker looks for models its store gained or lost (a download, conversion or delete elsewhere). */
export const MODEL_LANES_REFRESH_MS = 2000;

/** Model affinity: this worker consumes the inference lane of exactly the GGUF models its store holds. */
export async function syncModelLanes(storeId: string, subs: Subscriptions): Promise<void> {
  const held = await db().modelReplica.findMany({ where: { storeId, model: { format: "gguf" } }, select: { modelId: true } });
  const lanes = new Set(held.map((r) => modelLane(r.modelId)));
  for (const lane of lanes) subs.ensure("inference", lane);
  subs.retain("inference", lanes);
}
