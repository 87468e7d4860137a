import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { jobBlockers } from "../stores/blocked-reason";
import { toJobDto, type JobDto } from "./job-dto";
import { jobSubjects } from "./job-subjects";

const subjectsOf = (rows: { queue: string; payloadSummary: string }[]) =>
  jobSubjects(
    rows.map((r) => JSON.parse(r.payloadSummary) as unknown),
    rows.map((r) => r.queue),
  );

/** Jobs `user` may see: those of models hidden from them (lib/access) are left out. */
export async function listJobs(params: { user: AccessUser; queue?: string; status?: string; limit?: number }): Promise<JobDto[]> {
  const rows = await db().job.findMany({
    where: {
      ...(params.queue ? { queue: params.queue } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...visibleModelRowsWhere(params.user),
    },
    orderBy: { createdAt: "desc" },
    take: Math.min(params.limit ?? 100, 500),
    include: { user: { select: { email: true } } },
  });
  const [blocked, subjects] = await Promise.all([jobBlockers(rows), subjectsOf(rows)]);
  return rows.map((r, i) => toJobDto(r, blocked.get(r) ?? null, subjects[i]));
}

export async function getJob(id: string, user: AccessUser): Promise<JobDto | null> {
  const row = await db().job.findFirst({
    where: { id, ...visibleModelRowsWhere(user) },
    include: { user: { select: { email: true } } },
  });
  if (!row) return null;
  const [blocked, [subject]] = await Promise.all([jobBlockers([row]), subjectsOf([row])]);
  return toJobDto(row, blocked.get(row) ?? null, subject);
}
