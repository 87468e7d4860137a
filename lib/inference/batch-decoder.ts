import type { LlamaContext, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { nativeGrammarState, nativeLlama, type NativeLlama, type NativeSampler, type NativeSamplerConfig } from "./native-llama";

export type SequenceSampling = {
  /** 0: greedy. */
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Penalizes the tokens `punishTokens()` returns (read before every step). */
  repeatPenalty?: { penalty: number; punishTokens: () => readonly Token[] };
  grammar?: LlamaGrammarEvaluationState;
  /** Go on after an end-of-generation token instead of ending (the GPU bench, as llama-batched-bench does). */
  yieldEog?: boolean;
};

/** One sequence of a context: one generation at a time. */
export type DecoderSequence = {
  readonly id: number;
  /** Tokens it holds: prompt + output. */
  readonly contextSize: number;
  /**
   * Decodes `prompt` into the sequence (its earlier tokens are removed first) and yields each sampled token, until an
   * end-of-generation token or until the caller stops iterating.
   */
  generate(prompt: readonly Token[], sampling: SequenceSampling): AsyncGenerator<Token, void, void>;
};

type Pending = { resolve: (token: Token) => void; reject: (err: unknown) => void };

type Active = {
  id: number;
  /** Tokens decoded into the KV cache so far (the next token's position). */
  position: number;
  /** What the next step decodes for it: the prompt, then each sampled token. */
  feed: Token[];
  /** Has had its prompt decoded: from then on it steps together with the others. */
  joined: boolean;
  sampler: NativeSampler;
  /** Sampler settings that change every step (repeat penalty), re-applied before each; else null. */
  stepConfig: (() => NativeSamplerConfig) | null;
  /** The caller waiting for this sequence's next token, if it is waiting. */
  pending: Pending | null;
};

/**
 * Where a context's time goes in its token steps (one new token per generating sequence; prompts are not counted),
 * summed since it was created: llama_decode (until the GPU is done), sampling, and this thread's time since the step
 * before, while sequences were generating (batch building, handing tokens to the callers, waiting for them to ask for
 * the next). The GPU is idle for about sampleMs + hostMs.
 */
export type DecoderStats = { steps: number; tokens: number; decodeMs: number; sampleMs: number; hostMs: number };

export type BatchDecoderOptions = {
  /**
   * Decode and sample a step in one native call where the addon has it (source builds: scripts/patch-node-llama-cpp.ts)
   * instead of node-llama-cpp's decode call plus one sampling call per sequence. Default true.
   */
  batchSampling?: boolean;
  /** Longest a step waits for a sequence whose caller has not asked for its next token yet. */
  maxWaitMs?: number;
};

/**
 * Runs every generation on one llama.cpp context in lock-step: each decode carries one token of every generating
 * sequence, in increasing sequence id order, and a new prompt is decoded alone before the next step. It drives
 * node-llama-cpp's native context directly (native-llama.ts): node-llama-cpp's own sequence evaluation samples each
 * sequence in its own asynchronous native call and passes each token through several layers of promises and locks,
 * which left an H100 idle for 13-19% of every step (bench/results/gpu-2026-11-27.md).
 *
 * Why this order: node-llama-cpp never unifies the KV cache, so llama.cpp gives each sequence its own stream, and
 * a batch is split into one pass over the weights per run of consecutive increasing sequence ids. Mixing a prompt
 * with other sequences' tokens, or sequences out of id order, also gave a sequence another one's logits on CPU with
 * node-llama-cpp 3.21.1's batching (about half of the runs of 50 staggered requests over 4 sequences).
 */
export class BatchDecoder {
  private readonly native: NativeLlama;
  private readonly active = new Map<number, Active>();
  private readonly batchSampling: boolean;
  private readonly maxWaitMs: number;
  private stepping = false;
  private scheduled = false;
  private waitTimer: NodeJS.Timeout | null = null;
  private waitedOut = false;
  /** When the last step's native call returned, if sequences were still generating then. */
  private lastNativeEnd: number | null = null;
  readonly stats: DecoderStats = { steps: 0, tokens: 0, decodeMs: 0, sampleMs: 0, hostMs: 0 };
  private readonly timings = new Float64Array(2);

  constructor(
    private readonly model: LlamaModel,
    readonly context: LlamaContext,
    options: BatchDecoderOptions = {},
  ) {
    this.native = nativeLlama(model, context);
    this.batchSampling = options.batchSampling ?? true;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
  }

  /** Whether steps decode and sample in one native call (the addon was built with native/node-llama-cpp). */
  get batchSamplingActive(): boolean {
    return this.batchSampling && this.native.decodeBatchAndSample !== undefined;
  }

  sequence(id: number): DecoderSequence {
    if (!Number.isInteger(id) || id < 0 || id >= this.context.totalSequences) throw new RangeError(`no sequence ${id} in this context`);
    return { id, contextSize: this.context.contextSize, generate: (prompt, sampling) => this.generate(id, prompt, sampling) };
  }

  private async *generate(id: number, prompt: readonly Token[], sampling: SequenceSampling): AsyncGenerator<Token, void, void> {
    if (prompt.length === 0) throw new RangeError("empty prompt");
    if (this.active.has(id)) throw new Error(`sequence ${id} is already generating`);
    this.native.context.disposeSequence(id);
    const sampler = this.native.newSampler();
    const active: Active = { id, position: 0, feed: [...prompt], joined: false, sampler, stepConfig: null, pending: null };
    try {
      const base = samplerConfig(sampling);
      sampler.applyConfig(base);
      const { repeatPenalty } = sampling;
      if (repeatPenalty) {
        active.stepConfig = () => ({ ...base, repeatPenaltyTokens: Uint32Array.from(repeatPenalty.punishTokens().slice(-PUNISH_TOKENS)) });
      }
      this.active.set(id, active);
      for (;;) {
        const token = await new Promise<Token>((resolve, reject) => {
          active.pending = { resolve, reject };
          this.schedule();
        });
        if (token < 0) throw new Error("Failed to sample next token");
        if (!sampling.yieldEog && this.model.isEogToken(token)) return;
        yield token;
        active.feed = [token];
      }
    } finally {
      this.active.delete(id);
      if (this.active.size === 0) this.lastNativeEnd = null;
      sampler.dispose();
      // The others may be waiting for this one to ask for its next token.
      this.schedule();
    }
  }

  /** Runs a step once the microtasks now queued have run: by then every caller handed a token has asked for the next. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => {
      this.scheduled = false;
      void this.step();
    });
  }

  private async step(): Promise<void> {
    if (this.stepping) return;
    const waiting = [...this.active.values()].filter((a) => a.pending).sort((a, b) => a.id - b.id);
    if (waiting.length === 0) return;
    const prompt = waiting.find((a) => !a.joined);
    if (!prompt && !this.waitedOut && waiting.length < [...this.active.values()].filter((a) => a.joined).length) {
      this.waitTimer ??= setTimeout(() => {
        this.waitTimer = null;
        this.waitedOut = true;
        this.schedule();
      }, this.maxWaitMs);
      return;
    }
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.waitedOut = false;
    const items = prompt ? [prompt] : waiting;
    this.stepping = true;
    try {
      const tokens = await this.decode(items);
      items.forEach((a, i) => {
        a.joined = true;
        settle(a)?.resolve(tokens[i]! as Token);
      });
    } catch (err) {
      for (const a of items) settle(a)?.reject(err);
    } finally {
      this.stepping = false;
      this.schedule();
    }
  }

  /** Decodes each item's feed (a long prompt in batch-sized chunks first) and samples one token for each. */
  private async decode(items: Active[]): Promise<ArrayLike<number>> {
    const { context, decodeBatchAndSample } = this.native;
    const batchSize = this.context.batchSize;
    const [first] = items;
    while (items.length === 1 && first!.feed.length > batchSize) {
      context.initBatch(batchSize);
      context.addToBatch(first!.id, first!.position, Uint32Array.from(first!.feed.slice(0, batchSize)), NO_LOGITS);
      await context.decodeBatch();
      first!.position += batchSize;
      first!.feed = first!.feed.slice(batchSize);
    }
    const size = items.reduce((n, a) => n + a.feed.length, 0);
    const tokenStep = size === items.length;
    context.initBatch(size);
    const logitIndexes = new Uint32Array(items.length);
    items.forEach((a, i) => {
      if (a.stepConfig) a.sampler.applyConfig(a.stepConfig());
      logitIndexes[i] = context.addToBatch(a.id, a.position, Uint32Array.from(a.feed), Uint32Array.of(a.feed.length - 1))[0]!;
      a.position += a.feed.length;
    });
    const samplers = items.map((a) => a.sampler);
    const started = performance.now();
    const since = this.lastNativeEnd;
    let tokens: ArrayLike<number>;
    let decodeMs: number;
    let sampleMs: number;
    if (this.batchSampling && decodeBatchAndSample) {
      tokens = await decodeBatchAndSample(context, samplers, logitIndexes, this.timings);
      [decodeMs, sampleMs] = [this.timings[0]!, this.timings[1]!];
    } else {
      await context.decodeBatch();
      const decoded = performance.now();
      tokens = await Promise.all(samplers.map((s, i) => context.sampleToken(logitIndexes[i]!, s)));
      [decodeMs, sampleMs] = [decoded - started, performance.now() - decoded];
    }
    this.lastNativeEnd = performance.now();
    if (tokenStep) {
      this.stats.steps++;
      this.stats.tokens += items.length;
      this.stats.decodeMs += decodeMs;
      this.stats.sampleMs += sampleMs;
      if (since !== null) this.stats.hostMs += started - since;
    }
    return tokens;
  }
}

/** node-llama-cpp's default history for the repeat penalty. */
const PUNISH_TOKENS = 64;
const NO_LOGITS = new Uint32Array(0);

function samplerConfig(s: SequenceSampling): NativeSamplerConfig {
  return {
    temperature: s.temperature,
    ...(s.temperature > 0 ? { topK: s.topK ?? 40, topP: s.topP ?? 1, ...(s.seed !== undefined ? { seed: s.seed } : {}) } : {}),
    ...(s.repeatPenalty ? { repeatPenalty: s.repeatPenalty.penalty, repeatPenaltyMaxTokens: PUNISH_TOKENS, repeatPenaltyTokens: new Uint32Array(0) } : {}),
    ...(s.grammar ? { grammarEvaluationState: nativeGrammarState(s.grammar) } : {}),
  };
}

function settle(a: Active): Pending | null {
  const p = a.pending;
  a.pending = null;
  return p;
}
