import type { ThroughputPoint } from "./run-dto";

const POINTS = 30;

/**
 * Output tokens per second over the run's life, from the items' finish times: up to 30 equal buckets
 * from the run's start to its last finished item (at least one second each).
 */
export function throughput(params: { startedAt: Date | null; items: { finishedAt: Date | null; tokensOut: number | null }[] }): ThroughputPoint[] {
  const done = params.items.filter((i): i is { finishedAt: Date; tokensOut: number } => i.finishedAt !== null && i.tokensOut !== null);
  if (!params.startedAt || done.length === 0) return [];
  const start = params.startedAt.getTime();
  const end = Math.max(...done.map((i) => i.finishedAt.getTime()));
  const bucketMs = Math.max(1000, Math.ceil((end - start) / POINTS));
  const n = Math.max(1, Math.ceil((end - start) / bucketMs));
  const tokens = new Array<number>(n).fill(0);
  for (const i of done) tokens[Math.min(n - 1, Math.max(0, Math.floor((i.finishedAt.getTime() - start) / bucketMs)))]! += i.tokensOut;
  return tokens.map((t, k) => ({ t: ((k + 1) * bucketMs) / 1000, tokensPerSecond: t / (bucketMs / 1000) }));
}
