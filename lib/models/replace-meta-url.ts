import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { encryptSecret, maskSecret } from "../crypto/secret-box";
import { db } from "../db/prisma";
import { DownloadError } from "../download/errors";
import { checkEgress } from "../download/egress";
import { retryJob } from "../jobs/job-actions";
import { downloadPayload } from "../queue/payloads";
import { checkLinkFamily, parseSignedUrl } from "../sources/meta";
import { ModelError } from "./errors";

/**
 * Swaps a fresh signed link into a Meta download. A running job picks it up on its next request (the worker
 * re-reads the credential); a failed or cancelled one is retried and resumes from its partial files.
 */
export async function replaceMetaUrl(params: { jobId: string; url: string; user: AccessUser }): Promise<{ expiresAt: string; resumed: boolean }> {
  const link = parseSignedUrl(params.url);
  await checkEgress(link.url, ["meta"]).catch((err: unknown) => {
    throw err instanceof DownloadError ? new ModelError("egress", err.message) : err;
  });
  if (link.expiresAt.getTime() <= Date.now()) {
    throw new ModelError("expired", `this link expired at ${link.expiresAt.toISOString()}; request a new one from Meta`);
  }
  // A job on a model the caller may not see is missing to them; one they see but did not start is not theirs.
  const job = await db().job.findFirst({ where: { id: params.jobId, ...visibleModelRowsWhere(params.user) } });
  if (!job) throw new ModelError("not_found", `job ${params.jobId} not found`);
  if (params.user.role !== "admin" && job.userId !== params.user.id) {
    throw new ModelError("not_owner", `job ${params.jobId} belongs to another user: only its owner or an admin may relink it`);
  }
  const payload = downloadPayload.safeParse(JSON.parse(job.payloadSummary));
  if (!payload.success || payload.data.source !== "meta") throw new ModelError("not_meta", `job ${params.jobId} is not a Meta download`);
  if (job.status === "completed") throw new ModelError("finished", `job ${params.jobId} already finished`);
  checkLinkFamily(link.url, payload.data.family);
  await db().credential.update({
    where: { id: payload.data.credentialId },
    data: { encryptedValue: encryptSecret(params.url), hint: maskSecret(params.url), expiresAt: link.expiresAt },
  });
  const resumed = job.status === "failed" || job.status === "cancelled";
  if (resumed) {
    await db().model.updateMany({ where: { id: { in: payload.data.modelIds } }, data: { status: "pending" } });
    await retryJob(params.jobId);
  }
  return { expiresAt: link.expiresAt.toISOString(), resumed };
}
