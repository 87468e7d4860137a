import type { JobProgress } from "../queue/payloads";
import { payloadSummary, resultSummary } from "../queue/job-rows";
import type { JobSubject } from "./job-subjects";

export type JobDto = {
  id: string;
  queue: string;
  /** The store or model lane the job is confined to (lib/queue/names.ts), if any. */
  lane: string | null;
  kind: string;
  /** What the job works on, named: "llama-2-7b → llama-2-7b-q8_0", "download 7B", "my-run · item 3". */
  title: string;
  /** A batch item's run, for grouping them under it. */
  run: { id: string; name: string } | null;
  status: string;
  /** Why an unfinished job is not running (no online worker can take it), if that is so. */
  blockedReason: string | null;
  progress: number;
  detail: JobProgress | null;
  attempts: number;
  error: string | null;
  summary: unknown;
  result: unknown;
  worker: string | null;
  user: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

type JobRow = {
  id: string;
  queue: string;
  lane: string | null;
  kind: string;
  status: string;
  progress: number;
  progressJson: string | null;
  attempts: number;
  error: string | null;
  payloadSummary: string;
  resultJson: string | null;
  workerName: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  user?: { email: string } | null;
};

/** `subject`: lib/jobs/job-subjects.ts, where the caller looked the names up. */
export function toJobDto(j: JobRow, blockedReason: string | null = null, subject: JobSubject = { title: `${j.queue} · ${j.kind}`, run: null }): JobDto {
  return {
    id: j.id,
    queue: j.queue,
    lane: j.lane,
    kind: j.kind,
    title: subject.title,
    run: subject.run,
    status: j.status,
    blockedReason,
    progress: j.progress,
    detail: j.progressJson ? (JSON.parse(j.progressJson) as JobProgress) : null,
    attempts: j.attempts,
    error: j.error,
    // Summarized again so rows written before prompts were kept out of the Job table never serve them.
    summary: JSON.parse(payloadSummary(JSON.parse(j.payloadSummary))) as unknown,
    result: j.resultJson ? resultSummary(j.kind, JSON.parse(j.resultJson)) : null,
    worker: j.workerName,
    user: j.user?.email ?? null,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}
