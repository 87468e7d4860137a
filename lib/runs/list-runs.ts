import { visibleModelRowsWhere, type AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { countItems } from "./count-items";
import type { RunSummaryDto } from "./run-dto";
import { emptyCounts, toRunSummary } from "./to-dto";

/** Newest runs first, with their item counts. */
export async function listRuns(params: { user: AccessUser; limit?: number }): Promise<RunSummaryDto[]> {
  const runs = await db().run.findMany({
    where: visibleModelRowsWhere(params.user),
    orderBy: { createdAt: "desc" },
    take: Math.min(params.limit ?? 100, 500),
    include: { createdBy: { select: { email: true } } },
  });
  const counts = await countItems(runs.map((r) => r.id));
  return runs.map((r) => toRunSummary(r, counts.get(r.id) ?? emptyCounts()));
}
