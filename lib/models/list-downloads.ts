import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { toJobDto, type JobDto } from "../jobs/job-dto";

export type DownloadDto = Omit<JobDto, "status"> & {
  /**
   * The job's status, except that a stopped download is `paused`: its bytes are kept and Resume continues from
   * them (Cancel on the Downloads page deletes them and the card with them).
   */
  status: JobDto["status"] | "paused";
  /** Meta downloads: when the stored link stops working (the page counts down to it). */
  linkExpiresAt: string | null;
  /** The models the download fills, for the next steps on a finished card. */
  models: { id: string; name: string; format: string }[];
};

/** Recent download jobs with what the Downloads page needs beyond the job itself. */
export async function listDownloads(params: { user: AccessUser; limit?: number }): Promise<DownloadDto[]> {
  const rows = await db().job.findMany({
    where: { queue: "download", ...visibleModelRowsWhere(params.user) },
    orderBy: { createdAt: "desc" },
    take: Math.min(params.limit ?? 50, 200),
    include: { user: { select: { email: true } } },
  });
  const summaries = rows.map((r) => JSON.parse(r.payloadSummary) as { credentialId?: string; modelIds?: string[] });
  const credIds = summaries.map((s) => s.credentialId).filter((x): x is string => !!x);
  const creds = await db().credential.findMany({ where: { id: { in: credIds }, kind: "meta_signed_url" }, select: { id: true, expiresAt: true } });
  const models = await db().model.findMany({ where: { id: { in: summaries.flatMap((s) => s.modelIds ?? []) } }, select: { id: true, name: true, format: true } });
  return rows.map((r, i) => {
    const s = summaries[i]!;
    const exp = creds.find((c) => c.id === s.credentialId)?.expiresAt;
    const job = toJobDto(r);
    return {
      ...job,
      status: job.status === "cancelled" ? "paused" : job.status,
      linkExpiresAt: exp?.toISOString() ?? null,
      models: models.filter((m) => s.modelIds?.includes(m.id)),
    };
  });
}
