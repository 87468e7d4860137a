import { db } from "../db/prisma";
import { HttpError, notFound } from "../http/errors";
import { publishCancel } from "../queue/cancel";
import { webRedis } from "../queue/connection";
import { QUEUES, type QueueName } from "../queue/names";
import { queue } from "../queue/queues";
import { markJobStatus } from "./job-rows";

async function load(id: string) {
  const row = await db().job.findUnique({ where: { id } });
  if (!row) throw notFound(`job ${id}`);
  if (!(QUEUES as readonly string[]).includes(row.queue)) throw new HttpError(400, "bad_queue", `unknown queue ${row.queue}`);
  return { row, bull: await queue(row.queue as QueueName, row.lane).getJob(id) };
}

/** Retries a failed or cancelled job; if Redis already trimmed it, the job is re-added from its recorded payload. */
export async function retryJob(id: string): Promise<void> {
  const { row, bull } = await load(id);
  if (!["failed", "cancelled"].includes(row.status)) throw new HttpError(409, "not_failed", `job ${id} is ${row.status}: only failed or cancelled jobs can be retried`);
  await markJobStatus(id, "waiting");
  if (bull && (await bull.isFailed())) {
    await bull.retry("failed");
  } else {
    await bull?.remove().catch(() => {});
    await queue(row.queue as QueueName, row.lane).add(row.kind, JSON.parse(row.payloadSummary) as unknown, { jobId: id });
  }
}

/** Waiting jobs are removed from the queue; active ones are told to stop through the cancel channel. */
export async function cancelJob(id: string): Promise<void> {
  const { row, bull } = await load(id);
  if (["completed", "failed", "cancelled"].includes(row.status)) throw new HttpError(409, "finished", `job ${id} is already ${row.status}`);
  const state = bull ? await bull.getState() : "unknown";
  if (state === "active") {
    await publishCancel(webRedis(), id);
  } else {
    await bull?.remove();
    await db().job.update({ where: { id }, data: { status: "cancelled", finishedAt: new Date(), error: "cancelled by user" } });
  }
}

/** Admin only: forget the job in Redis and the database (running jobs must be cancelled first). */
export async function removeJob(id: string): Promise<void> {
  const { row, bull } = await load(id);
  if (row.status === "active") throw new HttpError(409, "active", `job ${id} is running: cancel it first`);
  await bull?.remove();
  await db().job.delete({ where: { id } });
}
