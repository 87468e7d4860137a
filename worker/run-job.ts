import { UnrecoverableError, type Job } from "bullmq";
import { isRetryable } from "../lib/http/errors";
import { markJobActive, markJobCompleted, markJobProgress } from "../lib/queue/job-rows";
import { logger } from "../lib/log/logger";
import type { QueueName } from "../lib/queue/names";
import { PAYLOADS, type JobProgress } from "../lib/queue/payloads";
import { PROCESSORS } from "./processors";

const log = logger("worker");

/**
 * The one path every job takes: re-parse the payload, mark the row active (counting the attempt, also
 * after a crash), run the processor, record the result. Permanent errors become UnrecoverableError so
 * BullMQ does not retry them; the failure itself is recorded by the worker's `failed` listener.
 */
export async function runJob(params: { queueName: QueueName; lane: string | null; job: Job; workerName: string; signal: AbortSignal }): Promise<unknown> {
  const { queueName, lane, job, workerName, signal } = params;
  const processor = PROCESSORS[queueName] as ((data: unknown, ctx: unknown) => Promise<unknown>) | undefined;
  if (!processor) throw new UnrecoverableError(`this worker has no processor for queue ${queueName}`);
  const id = job.id!;
  await markJobActive(id, workerName, { queue: queueName, lane, kind: job.name, payload: job.data });
  log.info("job started", { id, queue: queueName, kind: job.name, attempt: job.attemptsStarted });
  try {
    const data = PAYLOADS[queueName].parse(job.data);
    const progress = async (p: JobProgress) => {
      await job.updateProgress(p);
      await markJobProgress(id, p);
    };
    const result = await processor(data, { job, signal, workerName, progress });
    await markJobCompleted(id, job.name, result);
    log.info("job completed", { id });
    return result;
  } catch (err) {
    if (signal.aborted || !isRetryable(err)) {
      throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
    }
    throw err;
  }
}
