import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { createJobRow } from "./job-rows";
import type { QueueName } from "./names";
import { PAYLOADS, type PayloadOf } from "./payloads";
import { queue } from "./queues";

export type EnqueueParams<Q extends QueueName> = {
  queue: Q;
  data: z.input<(typeof PAYLOADS)[Q]>;
  userId: string | null;
  /** Deterministic id to deduplicate (no ':' allowed by BullMQ); default: a random one. */
  jobId?: string;
  modelId?: string;
  /** Only some workers take the job (names.ts: storeLane, modelLane); none: any worker. */
  lane?: string | null;
  /** Lower runs first (BullMQ priority); interactive work uses 1, batch work larger numbers. */
  priority?: number;
};

/**
 * Validates the payload, records the Job row (the durable mirror of BullMQ state) and adds the job.
 * The row is written first so a job never runs without its history row.
 */
export async function enqueue<Q extends QueueName>(params: EnqueueParams<Q>): Promise<{ id: string; data: PayloadOf<Q> }> {
  const data = PAYLOADS[params.queue].parse(params.data) as PayloadOf<Q>;
  const id = params.jobId ?? `${params.queue}-${randomUUID()}`;
  if (id.includes(":")) throw new Error("job ids may not contain ':'");
  await createJobRow({ id, queue: params.queue, lane: params.lane ?? null, kind: (data as { kind: string }).kind, payload: data, userId: params.userId, modelId: params.modelId });
  await queue(params.queue, params.lane).add((data as { kind: string }).kind, data, { jobId: id, priority: params.priority });
  return { id, data };
}
