import { db } from "../db/prisma";
import type { RunCounts } from "./run-dto";
import { emptyCounts } from "./to-dto";

/** Item counts per status for each of the given runs. */
export async function countItems(runIds: string[]): Promise<Map<string, RunCounts>> {
  const groups = await db().runItem.groupBy({ by: ["runId", "status"], where: { runId: { in: runIds } }, _count: { _all: true } });
  const out = new Map<string, RunCounts>(runIds.map((id) => [id, emptyCounts()]));
  for (const g of groups) {
    const c = out.get(g.runId);
    if (c && g.status in c) c[g.status as keyof RunCounts] = g._count._all;
  }
  return out;
}
