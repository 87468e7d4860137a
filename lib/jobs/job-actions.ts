import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { JobError } from "./errors";
import { publishCancel } from "../queue/cancel";
import { webRedis } from "../redis/connection";
import { QUEUES, type QueueName } from "../queue/names";
import { queue } from "../queue/queues";
import { markJobStatus } from "../queue/job-rows";

/**
 * The team model: a job's owner (who started it) and admins act on it; everyone else may only read it.
 * No actor: the app itself acts (a client went away, a run was cancelled by one who may).
 */
export function assertMayAct(ownerId: string | null, actor: AccessUser | undefined, what: string): void {
  if (actor && actor.role !== "admin" && ownerId !== actor.id) throw new JobError("not_owner", `only its owner or an admin may act on ${what}`);
}

async function load(id: string, actor: AccessUser | undefined) {
  const row = await db().job.findUnique({ where: { id } });
  if (!row) throw new JobError("not_found", `job ${id} not found`);
  assertMayAct(row.userId, actor, `job ${id}`);
  if (!(QUEUES as readonly string[]).includes(row.queue)) throw new JobError("bad_queue", `unknown queue ${row.queue}`);
  return { row, bull: await queue(row.queue as QueueName, row.lane).getJob(id) };
}

/** Retries a failed or cancelled job; if Redis already trimmed it, the job is re-added from its recorded payload. */
export async function retryJob(id: string, actor?: AccessUser): Promise<void> {
  const { row, bull } = await load(id, actor);
  // Its row keeps no prompt (lib/queue/job-rows.ts) and its stream's reader is gone: the client sends the request again.
  if (row.kind === "generate") throw new JobError("interactive", `job ${id} is an interactive request: send it again instead`);
  if (!["failed", "cancelled"].includes(row.status)) throw new JobError("not_failed", `job ${id} is ${row.status}: only failed or cancelled jobs can be retried`);
  await markJobStatus(id, "waiting");
  if (bull && (await bull.isFailed())) {
    await bull.retry("failed");
  } else {
    await bull?.remove().catch(() => {});
    await queue(row.queue as QueueName, row.lane).add(row.kind, JSON.parse(row.payloadSummary) as unknown, { jobId: id });
  }
}

/**
 * Waiting jobs are removed from the queue ("removed": no worker will ever say so); active ones are told to stop
 * through the cancel channel ("signalled": the worker that holds it reports the end).
 */
export async function cancelJob(id: string, actor?: AccessUser): Promise<"signalled" | "removed"> {
  const { row, bull } = await load(id, actor);
  if (["completed", "failed", "cancelled"].includes(row.status)) throw new JobError("finished", `job ${id} is already ${row.status}`);
  const state = bull ? await bull.getState() : "unknown";
  if (state === "active") {
    await publishCancel(webRedis(), id);
    return "signalled";
  }
  await bull?.remove();
  await db().job.update({ where: { id }, data: { status: "cancelled", finishedAt: new Date(), error: "cancelled by user" } });
  return "removed";
}

/** Admin only: forget the job in Redis and the database (running jobs must be cancelled first). */
export async function removeJob(id: string, actor?: AccessUser): Promise<void> {
  const { row, bull } = await load(id, actor);
  if (row.status === "active") throw new JobError("active", `job ${id} is running: cancel it first`);
  await bull?.remove();
  await db().job.delete({ where: { id } });
}
