import os from "node:os";
import { WaitingError, Worker, type Job } from "bullmq";
import { config } from "../lib/config/env";
import { closeDb } from "../lib/db/prisma";
import { markJobFailed, markJobStatus } from "../lib/jobs/job-rows";
import { logger } from "../lib/log/logger";
import { cancelChannel } from "../lib/queue/cancel";
import { redisConnection } from "../lib/queue/connection";
import type { QueueName } from "../lib/queue/names";
import { closeQueues, queue } from "../lib/queue/queues";
import { startHeartbeat } from "./heartbeat";
import { PROCESSORS } from "./processors";
import { runJob } from "./run-job";

const log = logger("worker");
const SHUTDOWN_GRACE_MS = 10_000;

/** Why a running job's signal was aborted: a user's cancel, or this worker shutting down (hand the job back). */
type AbortReason = "cancelled" | "shutdown";

export async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const cfg = config();
  const name = cfg.WORKER_NAME ?? `${os.hostname()}-${process.pid}`;
  const queues = Object.keys(PROCESSORS) as QueueName[];
  const workers = queues.map((queueName) => {
    const worker: Worker = new Worker(
      queueName,
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const abort = signal ?? new AbortController().signal;
        try {
          return await runJob(queueName, job, name, abort);
        } catch (err) {
          if (abort.aborted && (abort.reason as AbortReason) === "shutdown") {
            // Hand the job back: it waits for the next worker without spending an attempt.
            await job.moveToWait(token);
            await markJobStatus(job.id!, "waiting");
            throw new WaitingError();
          }
          throw err;
        }
      },
      {
        connection: redisConnection("worker"),
        prefix: cfg.REDIS_PREFIX,
        // An inference job holds one model sequence; more would only wait for one inside the worker.
        concurrency: queueName === "inference" ? cfg.INFERENCE_SEQUENCES : cfg.WORKER_CONCURRENCY,
        lockDuration: cfg.WORKER_LOCK_MS,
        stalledInterval: Math.max(1000, Math.floor(cfg.WORKER_LOCK_MS / 2)),
        maxStalledCount: cfg.WORKER_MAX_STALLS,
      },
    );
    worker.on("failed", (job, err) => {
      if (!job?.id) return;
      const cancelled = (job.failedReason ?? "").startsWith("cancelled") || err.message === "cancelled";
      const willRetry = !cancelled && err.name !== "UnrecoverableError" && job.attemptsMade < (job.opts.attempts ?? 1);
      log.warn("job failed", { id: job.id, error: err.message, willRetry });
      void markJobFailed(job.id, err.message, willRetry, cancelled).catch((e) => log.error("could not record failure", { err: e }));
    });
    worker.on("error", (err) => log.error("worker error", { queue: queueName, err }));
    return worker;
  });

  const subscriber = redisConnection("worker");
  await subscriber.subscribe(cancelChannel());
  subscriber.on("message", (_channel, jobId: string) => {
    for (const w of workers) if (w.cancelJob(jobId, "cancelled" satisfies AbortReason)) log.info("job cancelled", { id: jobId });
  });

  // Garbage collection daily at 03:00 (one schedule however many workers upsert it; a cron pattern, unlike
  // `every`, does not fire at once on each worker start).
  await queue("maintenance").upsertJobScheduler("gc-daily", { pattern: "0 3 * * *" }, { name: "gc", data: { kind: "gc", dryRun: false } });

  const heartbeat = startHeartbeat({ name, queues });
  log.info("worker ready", { name, queues });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info("worker stopping: finishing active jobs", { graceMs: SHUTDOWN_GRACE_MS });
      const closing = Promise.all(workers.map((w) => w.close()));
      const grace = setTimeout(() => {
        for (const w of workers) w.cancelAllJobs("shutdown" satisfies AbortReason);
      }, SHUTDOWN_GRACE_MS);
      await closing;
      clearTimeout(grace);
      await heartbeat.stop();
      subscriber.disconnect();
      await closeQueues();
      await closeDb();
      log.info("worker stopped");
    })());
  return { stop };
}
