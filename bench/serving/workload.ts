// The serving benchmark's synthetic traffic, fixed by a seed (the same requests for every target and run):
//
// - Prompts: text of words drawn uniformly from WORDS (about 1.3 Llama tokens per word), the word count log-normal
//   with median 160 and sigma 0.8, clipped to [16, 1024] words (mean ~220 words, ~290 tokens; p99 ~1,000 words),
//   the long right tail of chat prompts (a short question beside a pasted document).
// - Outputs: max_tokens log-normal with median 96 and sigma 0.7, clipped to [16, 320] (mean ~120); generation ignores
//   end-of-sequence (random-weight models would otherwise stop at random), so each request produces exactly that many.
// - Arrivals: a Poisson process at `rate` requests/s (exponential gaps from the same seed), or all at t = 0 (rate Inf).
//
// Two prefix scenarios: a batch whose items share a long prefix (system prompt + few-shot examples, then the item),
// all at once; and one 10-turn chat whose prompt at each turn is the whole conversation so far.

export type Request = { prompt: string; maxTokens: number; arrivalMs: number };

/** mulberry32: small, fast and the same in every JS engine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const WORDS = (
  "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were " +
  "her she there one all we their been has would when who will more no if out so up said what its about than into them " +
  "can only other time new some could these two may first then do any like my now over such our man me even most made " +
  "after also did many before must through back years where much your way well down should because each just those " +
  "people how too little state good very make world still own see men work long get here between both life being under " +
  "never day same another know while last might us great old year off come since against go came right used take three " +
  "question answer model server request token memory cache batch queue worker stream latency throughput prompt output"
).split(" ");

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const logNormal = (r: () => number, median: number, sigma: number, min: number, max: number) =>
  Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * normal(r)))));

export function words(r: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(" ");
}

export type WorkloadShape = { promptMedian: number; promptMax: number; outputMedian: number; outputMax: number };

export const CHAT_SHAPE: WorkloadShape = { promptMedian: 160, promptMax: 1024, outputMedian: 96, outputMax: 320 };

/** `n` chat-like requests arriving at `rate` per second (Infinity: all at once). */
export function chatWorkload(params: { n: number; rate: number; seed: number; shape?: WorkloadShape }): Request[] {
  const shape = params.shape ?? CHAT_SHAPE;
  const lengths = rng(params.seed);
  const gaps = rng(params.seed + 1);
  let t = 0;
  return Array.from({ length: params.n }, (_, i) => {
    if (i > 0 && Number.isFinite(params.rate)) t += (-Math.log(1 - gaps()) / params.rate) * 1000;
    const promptWords = logNormal(lengths, shape.promptMedian, 0.8, 16, shape.promptMax);
    const maxTokens = logNormal(lengths, shape.outputMedian, 0.7, 16, shape.outputMax);
    return { prompt: words(lengths, promptWords), maxTokens, arrivalMs: t };
  });
}

/** `n` items sharing one prefix of `prefixWords` words, each with its own `itemWords`, all at once. */
export function sharedPrefixBatch(params: { n: number; prefixWords: number; itemWords: number; maxTokens: number; seed: number }): Request[] {
  const r = rng(params.seed);
  const prefix = words(r, params.prefixWords);
  return Array.from({ length: params.n }, () => ({ prompt: `${prefix}\n${words(r, params.itemWords)}`, maxTokens: params.maxTokens, arrivalMs: 0 }));
}

/** The user messages of a chat (the replies come from the target). */
export function chatTurns(params: { turns: number; systemWords: number; userWords: number; seed: number }): { system: string; users: string[] } {
  const r = rng(params.seed);
  return { system: words(r, params.systemWords), users: Array.from({ length: params.turns }, () => words(r, params.userWords)) };
}
