import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { toJobDto, type JobDto } from "../jobs/job-dto";

export type DownloadDto = JobDto & {
  /** Meta downloads: when the stored link stops working (the page counts down to it). */
  linkExpiresAt: string | null;
};

/** Recent download jobs with what the Downloads page needs beyond the job itself. */
export async function listDownloads(params: { user: AccessUser; limit?: number }): Promise<DownloadDto[]> {
  const rows = await db().job.findMany({
    where: { queue: "download", ...visibleModelRowsWhere(params.user) },
    orderBy: { createdAt: "desc" },
    take: Math.min(params.limit ?? 50, 200),
    include: { user: { select: { email: true } } },
  });
  const credIds = rows.map((r) => (JSON.parse(r.payloadSummary) as { credentialId?: string }).credentialId).filter((x): x is string => !!x);
  const creds = await db().credential.findMany({ where: { id: { in: credIds }, kind: "meta_signed_url" }, select: { id: true, expiresAt: true } });
  return rows.map((r) => {
    const credentialId = (JSON.parse(r.payloadSummary) as { credentialId?: string }).credentialId;
    const exp = creds.find((c) => c.id === credentialId)?.expiresAt;
    return { ...toJobDto(r), linkExpiresAt: exp?.toISOString() ?? null };
  });
}
