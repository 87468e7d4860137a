import type { SamplingForm } from "../runs/sampling-fields";

export type MessageStats = { tokensIn: number | null; tokensOut: number | null; ttftMs: number | null; durationMs: number | null };

/** The line under a reply: its token counts, time to first token and speed, from what is known of them. */
export function formatStats(s: MessageStats): string {
  const parts: string[] = [];
  if (s.tokensOut !== null) parts.push(`${s.tokensOut} tokens`);
  if (s.tokensIn !== null) parts.push(`${s.tokensIn} prompt tokens`);
  if (s.ttftMs !== null) parts.push(`first token ${s.ttftMs} ms`);
  if (s.tokensOut !== null && s.durationMs !== null) parts.push(`${(s.tokensOut / Math.max(0.001, s.durationMs / 1000)).toFixed(1)} tokens/s`);
  return parts.join(" · ");
}

/** A stored params object (a conversation's or a preset's) back into the sampling form; what it lacks keeps `base`. */
export function samplingFromParams(params: Record<string, unknown>, base: SamplingForm): SamplingForm {
  const f = { ...base };
  for (const key of ["temperature", "topP", "topK", "repeatPenalty", "maxTokens", "seed"] as const) {
    const v = params[key];
    if (typeof v === "number") f[key] = String(v);
    else if (key === "seed") f.seed = "";
  }
  if (Array.isArray(params.stop)) f.stop = params.stop.filter((s): s is string => typeof s === "string").join("|");
  return f;
}
