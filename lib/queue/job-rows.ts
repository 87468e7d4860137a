import { db } from "../db/prisma";
import type { JobProgress } from "./payloads";
import type { JobStatus } from "./names";
import { redactPaths } from "./redact-paths";

// The Job table mirrors BullMQ state so history survives Redis trimming. The producer creates the row,
// the worker moves it through active → completed/failed; these are the only writers.

/**
 * What a Job row keeps of a payload: an interactive request (playground, /v1) keeps only its ids, never the
 * conversation or sampling, so job listings cannot leak a private prompt (the stream carried it to its owner).
 */
export function payloadSummary(payload: unknown): string {
  const p = payload as { kind?: unknown; requestId?: unknown; modelId?: unknown } | null;
  return JSON.stringify(p?.kind === "generate" ? { kind: p.kind, requestId: p.requestId, modelId: p.modelId } : payload);
}

/** What a Job row keeps of a result: an interactive request's generated text is its owner's alone. */
export function resultSummary(kind: string, result: unknown): unknown {
  if (kind !== "generate" || !result || typeof result !== "object") return result ?? null;
  const { text: _text, ...rest } = result as Record<string, unknown>;
  return rest;
}

export async function createJobRow(params: {
  id: string;
  queue: string;
  lane: string | null;
  kind: string;
  payload: unknown;
  userId: string | null;
  modelId?: string;
}): Promise<void> {
  await db().job.upsert({
    where: { id: params.id },
    create: { id: params.id, queue: params.queue, lane: params.lane, kind: params.kind, payloadSummary: payloadSummary(params.payload), userId: params.userId, modelId: params.modelId },
    update: { status: "waiting", lane: params.lane, error: null, progress: 0, finishedAt: null },
  });
}

/** Also creates the row for jobs that did not pass through enqueue() (BullMQ job schedulers). */
export async function markJobActive(id: string, workerName: string, job: { queue: string; lane: string | null; kind: string; payload: unknown }): Promise<void> {
  const active = { status: "active", workerName, startedAt: new Date(), error: null };
  await db().job.upsert({
    where: { id },
    create: { id, queue: job.queue, lane: job.lane, kind: job.kind, payloadSummary: payloadSummary(job.payload), attempts: 1, ...active },
    update: { ...active, attempts: { increment: 1 } },
  });
}

export async function markJobProgress(id: string, p: JobProgress): Promise<void> {
  await db().job.update({ where: { id }, data: { progress: p.pct, progressJson: JSON.stringify(p) } });
}

export async function markJobCompleted(id: string, kind: string, result: unknown): Promise<void> {
  await db().job.update({
    where: { id },
    data: { status: "completed", progress: 100, resultJson: JSON.stringify(resultSummary(kind, result)), finishedAt: new Date(), error: null },
  });
}

/** `willRetry` keeps the row waiting (delayed) with the error shown; otherwise it is final. Paths are redacted. */
export async function markJobFailed(id: string, error: string, willRetry: boolean, cancelled = false): Promise<void> {
  await db().job.update({
    where: { id },
    data: {
      status: cancelled ? "cancelled" : willRetry ? "delayed" : "failed",
      error: redactPaths(error),
      finishedAt: willRetry ? null : new Date(),
    },
  });
}

export async function markJobStatus(id: string, status: JobStatus): Promise<void> {
  await db().job.update({ where: { id }, data: { status, ...(status === "waiting" ? { error: null, finishedAt: null, progress: 0 } : {}) } });
}
