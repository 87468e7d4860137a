import type { Redis } from "ioredis";
import { config } from "../config/env";

// BullMQ's Worker.cancelJob only reaches the worker process it is called in; a cancel from the web is
// broadcast on this channel and every worker cancels the job if it holds it.
export function cancelChannel(): string {
  return `${config().REDIS_PREFIX}:cancel`;
}

export async function publishCancel(redis: Redis, jobId: string): Promise<void> {
  await redis.publish(cancelChannel(), jobId);
}
