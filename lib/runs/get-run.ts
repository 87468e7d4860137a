import { db } from "../db/prisma";
import type { SamplingParams } from "../generation/sampling";
import { modelLane } from "../queue/names";
import { laneBlockers } from "../stores/blocked-reason";
import { countItems } from "./count-items";
import { ITEM_STATUSES, type ItemStatus, type RunDto } from "./run-dto";
import { throughput } from "./throughput";
import { emptyCounts, toItemDto, toRunSummary } from "./to-dto";

/** A run with counts, throughput and one page of items (optionally of one status); null when it does not exist. */
export async function getRun(params: { id: string; offset?: number; limit?: number; status?: string }): Promise<RunDto | null> {
  const run = await db().run.findUnique({ where: { id: params.id }, include: { createdBy: { select: { email: true } } } });
  if (!run) return null;
  const status = ITEM_STATUSES.includes(params.status as ItemStatus) ? params.status : undefined;
  const where = { runId: run.id, ...(status ? { status } : {}) };
  const [counts, items, itemsTotal, finished] = await Promise.all([
    countItems([run.id]),
    db().runItem.findMany({ where, orderBy: { index: "asc" }, skip: params.offset ?? 0, take: Math.min(params.limit ?? 100, 1000) }),
    db().runItem.count({ where }),
    db().runItem.findMany({ where: { runId: run.id, status: "completed" }, select: { finishedAt: true, tokensOut: true } }),
  ]);
  const open = run.modelId && ["queued", "running"].includes(run.status);
  const blockedReason = open ? ((await laneBlockers([modelLane(run.modelId!)])).values().next().value ?? null) : null;
  const tokensOut = finished.reduce((s, i) => s + (i.tokensOut ?? 0), 0);
  const lastFinish = Math.max(0, ...finished.map((i) => i.finishedAt?.getTime() ?? 0));
  const seconds = run.startedAt && lastFinish ? (lastFinish - run.startedAt.getTime()) / 1000 : 0;
  return {
    ...toRunSummary(run, counts.get(run.id) ?? emptyCounts()),
    chatFormat: run.chatFormat,
    systemPrompt: run.systemPrompt,
    params: JSON.parse(run.paramsJson) as SamplingParams,
    tokensOut,
    tokensPerSecond: seconds > 0 ? tokensOut / seconds : 0,
    throughput: throughput({ startedAt: run.startedAt, items: finished }),
    items: items.map(toItemDto),
    itemsTotal,
    blockedReason,
  };
}
