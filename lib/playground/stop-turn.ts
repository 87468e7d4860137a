import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { JobError } from "../jobs/errors";
import { cancelJob } from "../jobs/job-actions";
import { PlaygroundError } from "./errors";
import { webRedis } from "../redis/connection";
import { queue } from "../queue/queues";
import { cancelledEvent, streamChannel } from "../interactive/stream-events";

/**
 * Stops a playground turn's request: a running one is aborted on its worker (which frees its sequence and reports
 * "cancelled" on the stream); one still waiting is taken off the queue, and since no worker will ever report on it,
 * its stream is told here. A request that already ended needs nothing.
 */
export async function stopTurn(params: { jobId: string; user: AccessUser }): Promise<void> {
  const row = await db().job.findUnique({ where: { id: params.jobId } });
  if (!row || row.kind !== "generate") throw new PlaygroundError("not_found", `request ${params.jobId} not found`);
  const bull = await queue("inference", row.lane).getJob(params.jobId);
  const requestId = (bull?.data as { requestId?: string } | undefined)?.requestId;
  try {
    if ((await cancelJob(params.jobId, params.user)) === "signalled" || !requestId) return;
  } catch (err) {
    if (err instanceof JobError && err.code === "finished") return;
    throw err;
  }
  await webRedis().publish(streamChannel(requestId), JSON.stringify(cancelledEvent()));
}
