import os from "node:os";
import { WaitingError, Worker, type Job } from "bullmq";
import { config } from "../lib/config/env";
import { inferenceConcurrency } from "../lib/inference/engine";
import { MAX_AUTO_SEQUENCES } from "../lib/inference/sequence-sizing";
import { closeDb } from "../lib/db/prisma";
import { CancelledError } from "../lib/errors";
import { markJobFailed, markJobStatus } from "../lib/queue/job-rows";
import { logger } from "../lib/log/logger";
import { cancelChannel } from "../lib/queue/cancel";
import { redisConnection } from "../lib/redis/connection";
import { bullQueueName, storeLane, type QueueName } from "../lib/queue/names";
import { closeQueues, queue } from "../lib/queue/queues";
import { adoptLocalModels } from "../lib/models/adopt-local-models";
import { localStoreId } from "../lib/stores/store-id";
import { startHeartbeat } from "./heartbeat";
import { MODEL_LANES_REFRESH_MS, syncModelLanes } from "./model-lanes";
import { PROCESSORS } from "./processors";
import { runJob } from "./run-job";
import { Subscriptions } from "./subscriptions";

const log = logger("worker");
const SHUTDOWN_GRACE_MS = 10_000;

/** Why a running job's signal was aborted: a user's cancel, or this worker shutting down (hand the job back). */
type AbortReason = "cancelled" | "shutdown";

export async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const cfg = config();
  const name = cfg.WORKER_NAME ?? `${os.hostname()}-${process.pid}`;
  const storeId = await localStoreId();
  const consume = (queueName: QueueName, lane: string | null): Worker => {
    const worker: Worker = new Worker(
      bullQueueName(queueName, lane),
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const abort = signal ?? new AbortController().signal;
        try {
          return await runJob({ queueName, lane, job, workerName: name, signal: abort });
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
        // An inference job holds one model sequence; more would only wait for one inside the worker. Sized to the
        // card (INFERENCE_SEQUENCES=0): a CPU's cap until the Llama says whether there is a GPU.
        concurrency: queueName === "inference" ? cfg.INFERENCE_SEQUENCES || MAX_AUTO_SEQUENCES.cpu : cfg.WORKER_CONCURRENCY,
        lockDuration: cfg.WORKER_LOCK_MS,
        stalledInterval: Math.max(1000, Math.floor(cfg.WORKER_LOCK_MS / 2)),
        maxStalledCount: cfg.WORKER_MAX_STALLS,
      },
    );
    if (queueName === "inference" && cfg.INFERENCE_SEQUENCES === 0) {
      void inferenceConcurrency().then(
        (n) => (worker.concurrency = n),
        (err: unknown) => log.warn("inference concurrency", { error: err instanceof Error ? err.message : String(err) }),
      );
    }
    worker.on("failed", (job, err) => {
      if (!job?.id) return;
      const cancelled = (job.failedReason ?? "").startsWith("cancelled") || err instanceof CancelledError;
      const willRetry = !cancelled && err.name !== "UnrecoverableError" && job.attemptsMade < (job.opts.attempts ?? 1);
      log.warn("job failed", { id: job.id, error: err.message, willRetry });
      void markJobFailed(job.id, err.message, willRetry, cancelled).catch((e) => log.error("could not record failure", { err: e }));
    });
    worker.on("error", (err) => log.error("worker error", { queue: worker.name, err }));
    return worker;
  };

  // Jobs for any worker, and jobs aimed at this worker's store; inference only through the lanes of the models
  // this store holds (model affinity), which follow the store's replicas.
  const subs = new Subscriptions(consume);
  for (const q of Object.keys(PROCESSORS) as QueueName[]) {
    if (q === "inference") continue;
    subs.ensure(q, null);
    subs.ensure(q, storeLane(storeId));
  }
  await adoptLocalModels(storeId);
  await syncModelLanes(storeId, subs);
  const lanesTimer = setInterval(() => {
    void syncModelLanes(storeId, subs).catch((err: unknown) => log.warn("could not refresh model lanes", { err }));
  }, MODEL_LANES_REFRESH_MS);

  const subscriber = redisConnection("worker");
  await subscriber.subscribe(cancelChannel());
  subscriber.on("message", (_channel, jobId: string) => {
    for (const w of subs.all()) if (w.cancelJob(jobId, "cancelled" satisfies AbortReason)) log.info("job cancelled", { id: jobId });
  });

  // Garbage collection of this store daily at 03:00 (one schedule per store however many of its workers upsert
  // it; a cron pattern, unlike `every`, does not fire at once on each worker start).
  await queue("maintenance").removeJobScheduler("gc-daily"); // the one schedule for all workers of earlier versions
  await queue("maintenance", storeLane(storeId)).upsertJobScheduler("gc-daily", { pattern: "0 3 * * *" }, { name: "gc", data: { kind: "gc", dryRun: false } });

  const heartbeat = startHeartbeat({ name, storeId, queues: () => subs.names() });
  log.info("worker ready", { name, storeId, queues: subs.names() });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info("worker stopping: finishing active jobs", { graceMs: SHUTDOWN_GRACE_MS });
      clearInterval(lanesTimer);
      const closing = Promise.all(subs.all().map((w) => w.close()));
      const grace = setTimeout(() => {
        for (const w of subs.all()) w.cancelAllJobs("shutdown" satisfies AbortReason);
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
