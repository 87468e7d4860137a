import { db } from "../db/prisma";

/** Marks a run completed once none of its items is pending or running (cancelled runs stay cancelled). */
export async function refreshRunStatus(runId: string): Promise<void> {
  const open = await db().runItem.count({ where: { runId, status: { in: ["pending", "running"] } } });
  if (open === 0) {
    await db().run.updateMany({ where: { id: runId, status: { in: ["queued", "running"] } }, data: { status: "completed", finishedAt: new Date() } });
  }
}
