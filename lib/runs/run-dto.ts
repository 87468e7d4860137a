import type { SamplingParams } from "../generation/sampling";

export const RUN_STATUSES = ["queued", "running", "completed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ITEM_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export type RunCounts = Record<ItemStatus, number>;

export type RunSummaryDto = {
  id: string;
  name: string;
  modelId: string | null;
  modelName: string;
  mode: "completion" | "chat";
  status: RunStatus;
  total: number;
  counts: RunCounts;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type RunItemDto = {
  id: string;
  index: number;
  externalId: string | null;
  input: { prompt: string } | { messages: { role: string; content: string }[] };
  metadata: Record<string, unknown> | null;
  status: ItemStatus;
  output: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  ttftMs: number | null;
  durationMs: number | null;
  attempts: number;
  error: string | null;
};

/** Completion throughput in one time bucket since the run started. */
export type ThroughputPoint = { t: number; tokensPerSecond: number };

export type RunDto = RunSummaryDto & {
  chatFormat: string;
  systemPrompt: string | null;
  params: SamplingParams;
  tokensOut: number;
  tokensPerSecond: number;
  throughput: ThroughputPoint[];
  items: RunItemDto[];
  itemsTotal: number;
  /** Why the run's open items are not running (no online worker holds its model), if that is so. */
  blockedReason: string | null;
};
