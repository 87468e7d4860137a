import { ITEM_STATUSES, type ItemStatus, type RunCounts, type RunItemDto, type RunStatus, type RunSummaryDto } from "./run-dto";

type RunRow = {
  id: string;
  name: string;
  modelId: string | null;
  modelName: string;
  mode: string;
  status: string;
  total: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdBy: { email: string } | null;
};

export function emptyCounts(): RunCounts {
  return Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as RunCounts;
}

export function toRunSummary(r: RunRow, counts: RunCounts): RunSummaryDto {
  return {
    id: r.id,
    name: r.name,
    modelId: r.modelId,
    modelName: r.modelName,
    mode: r.mode as RunSummaryDto["mode"],
    status: r.status as RunStatus,
    total: r.total,
    counts,
    createdBy: r.createdBy?.email ?? null,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export function toItemDto(i: {
  id: string;
  index: number;
  externalId: string | null;
  inputJson: string;
  metadataJson: string | null;
  status: string;
  output: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  ttftMs: number | null;
  durationMs: number | null;
  attempts: number;
  error: string | null;
}): RunItemDto {
  return {
    id: i.id,
    index: i.index,
    externalId: i.externalId,
    input: JSON.parse(i.inputJson) as RunItemDto["input"],
    metadata: i.metadataJson ? (JSON.parse(i.metadataJson) as Record<string, unknown>) : null,
    status: i.status as ItemStatus,
    output: i.output,
    tokensIn: i.tokensIn,
    tokensOut: i.tokensOut,
    ttftMs: i.ttftMs,
    durationMs: i.durationMs,
    attempts: i.attempts,
    error: i.error,
  };
}

