/** The only place queue names are spelled. App, worker and CLI import these. */
export const QUEUES = ["download", "verify", "convert", "inference", "maintenance"] as const;
export type QueueName = (typeof QUEUES)[number];

/** The states of a Job row (lib/queue/job-rows.ts), as BullMQ's plus "cancelled". */
export const JOB_STATUSES = ["waiting", "active", "delayed", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// A lane narrows a queue to some workers, as its own BullMQ queue `<queue>.<lane>`: a job for one worker store
// (a download or convert aimed at a worker, a verify of that store's copy) or for one model (inference, which only
// workers holding the model consume). A job without a lane goes to any worker.

/** Jobs only the workers of this model store take. */
export const storeLane = (storeId: string): string => `s-${storeId}`;
/** Inference jobs only workers whose store holds this model take. */
export const modelLane = (modelId: string): string => `m-${modelId}`;

export function bullQueueName(queue: QueueName, lane?: string | null): string {
  return lane ? `${queue}.${lane}` : queue;
}

/** The store or model a lane names. */
export function parseLane(lane: string): { storeId: string } | { modelId: string } | null {
  const m = /^([sm])-([\w-]+)$/.exec(lane);
  if (!m) return null;
  return m[1] === "s" ? { storeId: m[2]! } : { modelId: m[2]! };
}
