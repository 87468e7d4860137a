import { Queue } from "bullmq";
import { config } from "../config/env";
import { db } from "../db/prisma";
import { closeWebRedis, webRedis } from "../redis/connection";
import { bullQueueName, QUEUES, type QueueName } from "./names";

/** Redis keeps failed jobs this long: lanes whose jobs are all older hold nothing to count. */
const LANE_RETENTION_MS = 30 * 24 * 3600_000;

const globalForQueues = globalThis as unknown as { depotQueues?: Map<string, Queue> };

/** Producer-side Queue objects, one per queue and lane, sharing one fail-fast connection. Nothing else calls `new Queue`. */
export function queue(name: QueueName, lane?: string | null): Queue {
  globalForQueues.depotQueues ??= new Map();
  const full = bullQueueName(name, lane);
  let q = globalForQueues.depotQueues.get(full);
  if (!q) {
    q = new Queue(full, {
      connection: webRedis(),
      prefix: config().REDIS_PREFIX,
      skipWaitingForReady: true,
      defaultJobOptions: {
        attempts: config().JOB_ATTEMPTS,
        backoff: { type: "exponential", delay: 2000 },
        removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
        removeOnFail: { age: LANE_RETENTION_MS / 1000 },
      },
    });
    globalForQueues.depotQueues.set(full, q);
  }
  return q;
}

export type QueueCounts = Record<"waiting" | "active" | "completed" | "failed" | "delayed", number>;

async function laneCounts(name: QueueName, lane: string | null): Promise<QueueCounts> {
  const c = await queue(name, lane).getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized");
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
    active: c.active ?? 0,
    completed: c.completed ?? 0,
    failed: c.failed ?? 0,
    delayed: c.delayed ?? 0,
  };
}

/** Counts per queue, summed over its lanes (every lane a job used within Redis's retention). */
export async function queueCounts(): Promise<Record<QueueName, QueueCounts>> {
  const lanes = await db().job.groupBy({
    by: ["queue", "lane"],
    where: { lane: { not: null }, createdAt: { gt: new Date(Date.now() - LANE_RETENTION_MS) } },
  });
  const entries = await Promise.all(
    QUEUES.map(async (name) => {
      const parts = await Promise.all([null, ...lanes.filter((l) => l.queue === name).map((l) => l.lane)].map((lane) => laneCounts(name, lane)));
      const sum: QueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
      for (const p of parts) for (const k of Object.keys(sum) as (keyof QueueCounts)[]) sum[k] += p[k];
      return [name, sum] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, QueueCounts>;
}

export async function closeQueues(): Promise<void> {
  await Promise.all([...(globalForQueues.depotQueues?.values() ?? [])].map((q) => q.close()));
  globalForQueues.depotQueues?.clear();
  closeWebRedis();
}
