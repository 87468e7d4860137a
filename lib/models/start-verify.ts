import { db } from "../db/prisma";
import { enqueue } from "../queue/enqueue";
import { laneHolding } from "../stores/placement";
import { ModelError } from "./errors";

/** Enqueues a re-verification of every file of a model against the checksums recorded for it. */
export async function startVerify(params: { modelId: string; storeId?: string; userId: string }): Promise<{ jobId: string }> {
  const m = await db().model.findUnique({ where: { id: params.modelId }, select: { name: true, status: true } });
  if (!m) throw new ModelError("not_found", `model ${params.modelId} not found`);
  if (["pending", "downloading"].includes(m.status)) throw new ModelError("not_ready", `${m.name} is still ${m.status}`);
  const lane = await laneHolding({ modelId: params.modelId, modelName: m.name, storeId: params.storeId });
  const job = await enqueue({ queue: "verify", lane, userId: params.userId, modelId: params.modelId, data: { kind: "verify", modelId: params.modelId } });
  return { jobId: job.id };
}
