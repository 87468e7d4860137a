import { db } from "../db/prisma";
import { toJobDto, type JobDto } from "./job-dto";

export async function listJobs(params: { queue?: string; status?: string; limit?: number }): Promise<JobDto[]> {
  const rows = await db().job.findMany({
    where: { ...(params.queue ? { queue: params.queue } : {}), ...(params.status ? { status: params.status } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(params.limit ?? 100, 500),
    include: { user: { select: { email: true } } },
  });
  return rows.map(toJobDto);
}

export async function getJob(id: string): Promise<JobDto | null> {
  const row = await db().job.findUnique({ where: { id }, include: { user: { select: { email: true } } } });
  return row ? toJobDto(row) : null;
}
