import { randomBytes } from "node:crypto";
import { storeCredential } from "../credentials/store-credential";
import { db } from "../db/prisma";
import { DownloadError } from "../download/errors";
import { checkEgress } from "../download/egress";
import { removeJob } from "../jobs/job-actions";
import { enqueue } from "../queue/enqueue";
import { storeLane } from "../queue/names";
import { checkStore } from "../stores/placement";
import { checkLinkFamily, DEFAULT_META_FAMILY, linkFamily, parseSignedUrl, planMeta } from "../sources/meta";
import type { AccessUser } from "../access/model-access";
import { metaDir } from "../stores/paths";
import { replaceMetaUrl } from "./replace-meta-url";
import { ModelError } from "./errors";

export type StartedDownload = { jobId: string; modelIds: string[]; expiresAt: string; resumed: boolean };

/**
 * Starts (or resumes) the download of a set of Meta catalog models of one family. The job id is derived from the set, so
 * submitting the same set again with a fresh link swaps the link into the existing job and resumes it instead of
 * starting over. The link itself is stored only as an encrypted credential; the job carries its id.
 */
export async function startMetaDownload(params: { url: string; family?: string; models: string[]; storeId?: string; user: AccessUser }): Promise<StartedDownload> {
  const link = parseSignedUrl(params.url);
  // No family given: the one whose host the link is on, else Llama 2 (the only family before there was a choice).
  const family = (params.family ?? linkFamily(link.url) ?? DEFAULT_META_FAMILY).trim().toLowerCase();
  const chosen = planMeta({ models: params.models, family }).models; // rejects unknown ids with the list of known ones
  checkLinkFamily(link.url, family);
  await checkEgress(link.url, ["meta"]).catch((err: unknown) => {
    throw err instanceof DownloadError ? new ModelError("egress", err.message) : err;
  });
  if (params.storeId) await checkStore(params.storeId);
  if (link.expiresAt.getTime() <= Date.now()) {
    throw new ModelError("expired", `this link expired at ${link.expiresAt.toISOString()}; request a new one from Meta`);
  }
  // Llama 3.x ids carry their family (`llama3.1-8b`); `:` (Meta's variant separator) is not allowed in a job id.
  const setKey = chosen.map((m) => m.id.toLowerCase().replace(/[^a-z0-9._-]/g, "-")).join("_");
  // One job per set, found by its prefix; the random tail keeps ids unguessable (relinking needs the id).
  // `--` never occurs in a catalog id, so `7b--` cannot match `7b-chat--`.
  const prefix = `download-meta-${setKey}--`;
  const existing = await db().job.findFirst({ where: { id: { startsWith: prefix } }, orderBy: { createdAt: "desc" } });
  const jobId = existing?.id ?? `${prefix}${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
  if (existing) {
    const { modelIds } = JSON.parse(existing.payloadSummary) as { modelIds: string[] };
    const alive = await db().model.count({ where: { id: { in: modelIds } } });
    if (existing.status !== "completed" && alive === modelIds.length) {
      const r = await replaceMetaUrl({ jobId, url: params.url, user: params.user });
      return { jobId, modelIds, expiresAt: r.expiresAt, resumed: true };
    }
    if (existing.status === "active") throw new ModelError("busy", `job ${jobId} is still running: cancel it first`);
  }
  const taken = await db().model.findMany({ where: { name: { in: chosen.map((m) => m.folder) } }, select: { name: true } });
  if (taken.length > 0) {
    throw new ModelError("exists", `already in the inventory: ${taken.map((t) => t.name).join(", ")} (delete it first to download again)`);
  }
  if (existing) {
    // The old job's models are gone: forget it, or BullMQ would ignore a new job with the same id.
    await removeJob(jobId);
  }

  const cred = await storeCredential({
    kind: "meta_signed_url",
    label: `Meta link (${chosen.map((m) => m.id).join(", ")})`,
    value: params.url,
    expiresAt: link.expiresAt,
    ownerId: params.user.id,
  });
  const directory = metaDir(setKey);
  const models = await db().$transaction(
    chosen.map((m) =>
      db().model.create({
        data: { name: m.folder, family, source: "meta", format: "meta", directory, repo: m.id, createdById: params.user.id },
      }),
    ),
  );
  const modelIds = models.map((m) => m.id);
  await enqueue({
    queue: "download",
    lane: params.storeId ? storeLane(params.storeId) : null,
    jobId,
    userId: params.user.id,
    modelId: modelIds[0],
    data: { kind: "download", source: "meta", family, credentialId: cred.id, models: chosen.map((m) => m.id), modelIds },
  });
  return { jobId, modelIds, expiresAt: link.expiresAt.toISOString(), resumed: false };
}
