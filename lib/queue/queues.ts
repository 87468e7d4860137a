import { Queue } from "bullmq";
import { config } from "../config/env";
import { closeWebRedis, webRedis } from "./connection";
import { QUEUES, type QueueName } from "./names";

const globalForQueues = globalThis as unknown as { depotQueues?: Map<QueueName, Queue> };

/** Producer-side Queue objects, one per name, sharing one fail-fast connection. Nothing else calls `new Queue`. */
export function queue(name: QueueName): Queue {
  globalForQueues.depotQueues ??= new Map();
  let q = globalForQueues.depotQueues.get(name);
  if (!q) {
    q = new Queue(name, {
      connection: webRedis(),
      prefix: config().REDIS_PREFIX,
      skipWaitingForReady: true,
      defaultJobOptions: {
        attempts: config().JOB_ATTEMPTS,
        backoff: { type: "exponential", delay: 2000 },
        removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    });
    globalForQueues.depotQueues.set(name, q);
  }
  return q;
}

export type QueueCounts = Record<"waiting" | "active" | "completed" | "failed" | "delayed", number>;

export async function queueCounts(): Promise<Record<QueueName, QueueCounts>> {
  const entries = await Promise.all(
    QUEUES.map(async (name) => {
      const c = await queue(name).getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized");
      const counts: QueueCounts = {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
        delayed: c.delayed ?? 0,
      };
      return [name, counts] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, QueueCounts>;
}

export async function closeQueues(): Promise<void> {
  await Promise.all([...(globalForQueues.depotQueues?.values() ?? [])].map((q) => q.close()));
  globalForQueues.depotQueues?.clear();
  closeWebRedis();
}
