import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { removeJob } from "../jobs/job-actions";
import { ModelError } from "./errors";

/** Removes a finished download's card (its Job row); the model it made, if any, stays in the inventory. */
export async function dismissDownload(params: { jobId: string; user: AccessUser }): Promise<void> {
  const row = await db().job.findUnique({ where: { id: params.jobId }, select: { queue: true, status: true } });
  if (!row || row.queue !== "download") throw new ModelError("not_found", `no download ${params.jobId}`);
  if (!["completed", "failed", "cancelled"].includes(row.status)) {
    throw new ModelError("not_finished", `download ${params.jobId} is ${row.status}: pause or cancel it first`);
  }
  await removeJob(params.jobId, params.user);
}
