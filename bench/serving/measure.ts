import type { Sent, Target } from "./targets";
import { chatTurns, chatWorkload, sharedPrefixBatch, type Request, type WorkloadShape } from "./workload";

export type Percentiles = { mean: number; p50: number; p90: number; p99: number };

export type RateResult = {
  /** Requests per second (Infinity: all at once, written "inf" in JSON). */
  rate: number | "inf";
  n: number;
  completed: number;
  failed: number;
  durationS: number;
  requestsPerS: number;
  outputTokensPerS: number;
  meanPromptTokens: number;
  meanOutputTokens: number;
  /** Milliseconds: time to first token from the request's arrival; time per output token after the first; gaps between streamed pieces. */
  ttftMs: Percentiles;
  tpotMs: Percentiles;
  itlMs: Percentiles;
  errors?: string[];
};

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0 };
  const s = [...values].sort((a, b) => a - b);
  // Nearest rank, as vLLM's benchmark_serving reports them (numpy's linear interpolation differs in the last digit).
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

const round = (p: Percentiles): Percentiles => ({ mean: +p.mean.toFixed(2), p50: +p.p50.toFixed(2), p90: +p.p90.toFixed(2), p99: +p.p99.toFixed(2) });

/** Sends `requests` at their arrival times (none waits for another) and measures them as benchmark_serving does. */
export async function runRequests(target: Target, requests: Request[], rate: number): Promise<RateResult> {
  const t0 = performance.now() + 20;
  const results: Array<{ arrival: number; sent?: Sent; end: number; error?: string }> = await Promise.all(
    requests.map(async (req) => {
      const arrival = t0 + req.arrivalMs;
      const wait = arrival - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      try {
        const sent = await target.send(req);
        return { arrival, sent, end: performance.now() };
      } catch (err) {
        return { arrival, end: performance.now(), error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const ok = results.filter((r) => r.sent && r.sent.stamps.length > 0);
  const durationS = (Math.max(...results.map((r) => r.end)) - t0) / 1000;
  const outputTokens = ok.reduce((a, r) => a + r.sent!.outputTokens, 0);
  const ttft = ok.map((r) => r.sent!.stamps[0]! - r.arrival);
  const tpot = ok.filter((r) => r.sent!.outputTokens > 1).map((r) => (r.sent!.stamps.at(-1)! - r.sent!.stamps[0]!) / (r.sent!.outputTokens - 1));
  const itl = ok.flatMap((r) => r.sent!.stamps.slice(1).map((t, i) => t - r.sent!.stamps[i]!));
  const errors = [...new Set(results.flatMap((r) => (r.error ? [r.error] : [])))];
  return {
    rate: Number.isFinite(rate) ? rate : "inf",
    n: requests.length,
    completed: ok.length,
    failed: results.length - ok.length,
    durationS: +durationS.toFixed(3),
    requestsPerS: +(ok.length / durationS).toFixed(3),
    outputTokensPerS: +(outputTokens / durationS).toFixed(1),
    meanPromptTokens: +(ok.reduce((a, r) => a + r.sent!.promptTokens, 0) / Math.max(1, ok.length)).toFixed(1),
    meanOutputTokens: +(outputTokens / Math.max(1, ok.length)).toFixed(1),
    ttftMs: round(percentiles(ttft)),
    tpotMs: round(percentiles(tpot)),
    itlMs: round(percentiles(itl)),
    ...(errors.length ? { errors } : {}),
  };
}

/** The chat workload at each rate (a few requests first to warm the target up, not measured). */
export async function runRates(target: Target, params: { rates: number[]; n: number; seed: number; shape?: WorkloadShape; log?: (s: string) => void }): Promise<RateResult[]> {
  await runRequests(target, chatWorkload({ n: 4, rate: Infinity, seed: params.seed + 99, shape: params.shape }), Infinity);
  const out: RateResult[] = [];
  for (const rate of params.rates) {
    const r = await runRequests(target, chatWorkload({ n: params.n, rate, seed: params.seed, shape: params.shape }), rate);
    params.log?.(`${target.name} rate ${r.rate}: ${r.completed}/${r.n} done, ${r.requestsPerS} req/s, ${r.outputTokensPerS} tok/s, TTFT p50 ${r.ttftMs.p50} ms, ITL p99 ${r.itlMs.p99} ms`);
    out.push(r);
  }
  return out;
}

export type PrefixResult = { items: number; prefixWords: number; itemsPerS: number; durationS: number; completed: number; ttftMs: Percentiles };

/** A batch of items sharing a long prefix, all at once. */
export async function runSharedPrefix(target: Target, params: { n: number; prefixWords: number; itemWords: number; maxTokens: number; seed: number }): Promise<PrefixResult> {
  const r = await runRequests(target, sharedPrefixBatch(params), Infinity);
  return { items: params.n, prefixWords: params.prefixWords, itemsPerS: r.requestsPerS, durationS: r.durationS, completed: r.completed, ttftMs: r.ttftMs };
}

export type ChatResult = { turns: number; ttftMs: number[]; promptTokens: number[] };

/** One conversation, turn after turn: each prompt is the whole conversation so far (the replies are the target's). */
export async function runChat(target: Target, params: { turns: number; systemWords: number; userWords: number; maxTokens: number; seed: number }): Promise<ChatResult> {
  const { system, users } = chatTurns(params);
  let history = system;
  const ttftMs: number[] = [];
  const promptTokens: number[] = [];
  for (const user of users) {
    history += `\nUSER: ${user}\nASSISTANT:`;
    const start = performance.now();
    const sent = await target.send({ prompt: history, maxTokens: params.maxTokens, arrivalMs: 0 });
    ttftMs.push(+(sent.stamps[0]! - start).toFixed(2));
    promptTokens.push(sent.promptTokens);
    history += sent.text;
  }
  return { turns: params.turns, ttftMs, promptTokens };
}
