import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { jobBlockers } from "../stores/blocked-reason";
import { toJobDto, type JobDto } from "./job-dto";

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
  const blocked = await jobBlockers(rows);
  return rows.map((r) => toJobDto(r, blocked.get(r) ?? null));
}

export async function getJob(id: string, user: AccessUser): Promise<JobDto | null> {
  const row = await db().job.findFirst({
    where: { id, ...visibleModelRowsWhere(user) },
    include: { user: { select: { email: true } } },
  });
  return row ? toJobDto(row, (await jobBlockers([row])).get(row) ?? null) : null;
}
