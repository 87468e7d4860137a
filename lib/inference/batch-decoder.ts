import type { LlamaContext, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { nativeGrammarState, nativeLlama, type NativeLlama, type NativeSampler, type NativeSamplerConfig } from "./native-llama";
import { PrefixCache } from "./prefix-cache";
import { createStepRunner, type StepRunner } from "./step-runner";

export type SequenceSampling = {
  /** 0: greedy. */
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Penalizes the last 64 generated tokens (llama.cpp's penalty sampler keeps them as the sampler accepts them). */
  repeatPenalty?: number;
  grammar?: LlamaGrammarEvaluationState;
  /** Go on after an end-of-generation token instead of ending (the GPU bench, as llama-batched-bench does). */
  yieldEog?: boolean;
  /** Ends after this many tokens: no step is run ahead for a token the caller will not take. */
  maxTokens?: number;
};

/** One sequence of a context: one generation at a time. */
export type DecoderSequence = {
  readonly id: number;
  /** Tokens it holds: prompt + output. */
  readonly contextSize: number;
  /**
   * Decodes `prompt` into the sequence and yields each sampled token, until an end-of-generation token,
   * `sampling.maxTokens` tokens, or until the caller stops iterating. The sequence's earlier tokens are removed first,
   * except a prefix of `prompt` it (or, copied, another sequence) already holds: the prefix cache.
   */
  generate(prompt: readonly Token[], sampling: SequenceSampling): AsyncGenerator<Token, void, void>;
};

type Pending = { resolve: (token: Token) => void; reject: (err: unknown) => void };

type Active = {
  id: number;
  sampler: NativeSampler;
  prompt: readonly Token[];
  /** Prompt tokens the steps submitted so far decode (the cached prefix included). */
  prefilled: number;
  /** Every token sampled for it so far; the first `decoded` of them are decoded by the steps submitted. */
  sampled: Token[];
  decoded: number;
  /** Has had its prompt's token: from then on it is in every token step. */
  joined: boolean;
  /** Submitted steps with it whose results have not come back. */
  inFlight: number;
  /** Position of the next token a step would decode for it (the steps submitted so far included). */
  position: number;
  /**
   * Where its token steps end: at the context size, or once the steps submitted will have sampled its maxTokens
   * tokens (the prompt step samples the first).
   */
  end: number;
  /** Sampled tokens its caller has not taken yet. */
  tokens: Token[];
  /** The caller waiting for its next token, if it is waiting. */
  pending: Pending | null;
  error: unknown;
  /** Its caller has stopped: its sampler goes once no step in flight uses it. */
  ended: boolean;
};

/** "chunk": a prompt's chunk before its last (no token); "prompt": its last chunk (samples the first token). */
type Step = { kind: "chunk" | "prompt" | "token"; items: Active[] };

/**
 * Where a context's time goes, summed since it was created. Token steps (one new token per generating sequence):
 * llama_decode (until the GPU is done), sampling, and the time the context waited for the step after a token step was
 * done (the GPU was idle for sampleMs + idleMs). Prompt steps: their count and their decode + sampling time.
 */
export type DecoderStats = {
  steps: number;
  tokens: number;
  decodeMs: number;
  sampleMs: number;
  idleMs: number;
  prompts: number;
  promptMs: number;
  /** Prompt tokens decoded, and prompt tokens taken from the prefix cache instead (of which copied from another sequence). */
  promptTokens: number;
  cachedTokens: number;
  copiedTokens: number;
};

export type BatchDecoderOptions = {
  /**
   * Run the steps on the addon's native decode loop where it has one (source builds: scripts/patch-node-llama-cpp.ts)
   * instead of node-llama-cpp's decode call plus one sampling call per sequence. Default true.
   */
  batchSampling?: boolean;
  /** Longest a token step waits for a sequence whose caller has not taken its tokens yet. */
  maxWaitMs?: number;
  /** Prompt tokens per prompt step (see PREFILL_CHUNK); 0: a whole prompt per step (decoded in pieces of the batch size). */
  prefillChunk?: number;
  /** Tokens the prefix cache keeps matchable in idle sequences (see PrefixCache); 0 turns it off. Default: all of them. */
  prefixCacheTokens?: number;
};

/**
 * Prompt tokens per prompt step. Prompt steps take turns with token steps, so a prompt arriving while others generate
 * delays each of their tokens by at most one chunk's decode, not its whole prefill. 256: on an H200 a 7B model decodes
 * 256 prompt tokens in about the time of one 32-sequence token step (F16: ~17,000 prompt tok/s, ~15 ms; a token step
 * at 32 sequences: ~15 ms; bench/results/gpu-2026-11-27.md), so a prefill at most doubles the others' inter-token
 * latency while it runs, and 256 tokens already keep the card's matrix units about as busy as the 512 of a whole batch
 * (the prompt rate at 256 and 512 tokens per step differs by a few percent there). bench/serving measures it
 * (ENGINE_PREFILL_CHUNK) against whole-prompt steps.
 */
export const PREFILL_CHUNK = 256;

/** Token steps submitted ahead: one running, the next queued behind it, so the context never waits for JS. */
const STEPS_AHEAD = 2;

/**
 * Runs every generation on one llama.cpp context in lock-step: each decode carries one token of every generating
 * sequence, in increasing sequence id order. Prompts are decoded alone, one prompt at a time in arrival order, in
 * chunks that take turns with the token steps (continuous batching: an arriving request joins the token step after its
 * last chunk; see PREFILL_CHUNK), after what the prefix cache already holds of them. The steps
 * run on a StepRunner (the native decode loop, else node-llama-cpp's calls), which decodes each sequence's sampled
 * token itself; the next token step is submitted while the current one runs, once every generating sequence has
 * fewer than STEPS_AHEAD tokens ahead of its caller, so the GPU goes from one step to the next without waiting for
 * JS (node-llama-cpp's own sequence evaluation handed every token back and forth through JS, which left an H100 idle
 * for 13-19% of every step: bench/results/gpu-2026-11-27.md). A sequence that ends at its maxTokens wastes nothing;
 * one that ends otherwise (end-of-generation token, stop string, cancel) wastes at most one decoded token, and a prompt
 * submitted just then waits for that step.
 *
 * Why this order: node-llama-cpp never unifies the KV cache, so llama.cpp gives each sequence its own stream, and
 * a batch is split into one pass over the weights per run of consecutive increasing sequence ids. Mixing a prompt
 * with other sequences' tokens, or sequences out of id order, also gave a sequence another one's logits on CPU with
 * node-llama-cpp 3.21.1's batching (about half of the runs of 50 staggered requests over 4 sequences).
 */
export class BatchDecoder {
  private readonly native: NativeLlama;
  private readonly runner: StepRunner;
  private readonly active = new Map<number, Active>();
  private readonly submitted: Step[] = [];
  /** Sequences whose prompts have chunks left to submit, in arrival order: the first one's go next. */
  private readonly prefills: Active[] = [];
  private readonly maxWaitMs: number;
  private readonly prefillChunk: number;
  private readonly cache: PrefixCache | null;
  private tokenSteps = 0;
  private lastKind: Step["kind"] | null = null;
  /** Whether the step before the next one to complete was a token step (its wait then counts as idle). */
  private afterTokenStep = false;
  private scheduled = false;
  private waitTimer: NodeJS.Timeout | null = null;
  private waitedOut = false;
  private drained: (() => void) | null = null;
  readonly stats: DecoderStats = { steps: 0, tokens: 0, decodeMs: 0, sampleMs: 0, idleMs: 0, prompts: 0, promptMs: 0, promptTokens: 0, cachedTokens: 0, copiedTokens: 0 };
  /** Whether steps run on the native decode loop (the addon was built with native/node-llama-cpp). */
  readonly batchSamplingActive: boolean;

  constructor(
    private readonly model: LlamaModel,
    readonly context: LlamaContext,
    options: BatchDecoderOptions = {},
  ) {
    this.native = nativeLlama(model, context);
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.batchSamplingActive = (options.batchSampling ?? true) && this.native.newDecodeLoop !== undefined;
    this.runner = createStepRunner(this.native, context.batchSize, (error, tokens, timings) => this.completed(error, tokens, timings), this.batchSamplingActive);
    const chunk = options.prefillChunk ?? PREFILL_CHUNK;
    this.prefillChunk = chunk > 0 ? chunk : Infinity;
    const cacheTokens = options.prefixCacheTokens ?? context.totalSequences * context.contextSize;
    this.cache = cacheTokens > 0 ? new PrefixCache(cacheTokens) : null;
  }

  /** The prefix cache (null when off), for tests and stats. */
  get prefixCache(): PrefixCache | null {
    return this.cache;
  }

  sequence(id: number): DecoderSequence {
    if (!Number.isInteger(id) || id < 0 || id >= this.context.totalSequences) throw new RangeError(`no sequence ${id} in this context`);
    return { id, contextSize: this.context.contextSize, generate: (prompt, sampling) => this.generate(id, prompt, sampling) };
  }

  /** Waits for the steps still running (a token step run ahead for callers that stopped), then stops the runner. */
  async dispose(): Promise<void> {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    if (this.submitted.length > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.runner.dispose();
  }

  private async *generate(id: number, prompt: readonly Token[], sampling: SequenceSampling): AsyncGenerator<Token, void, void> {
    if (prompt.length === 0) throw new RangeError("empty prompt");
    if (this.active.has(id)) throw new Error(`sequence ${id} is already generating`);
    const maxTokens = sampling.maxTokens ?? Infinity;
    if (!(maxTokens >= 1)) throw new RangeError("maxTokens must be at least 1");
    if (prompt.length > this.context.contextSize) throw new RangeError(`prompt (${prompt.length} tokens) exceeds the context size ${this.context.contextSize}`);
    const sampler = this.native.newSampler();
    const end = Math.min(this.context.contextSize, prompt.length + maxTokens - 1);
    const active: Active = {
      id,
      sampler,
      prompt: [...prompt],
      prefilled: 0,
      sampled: [],
      decoded: 0,
      joined: false,
      inFlight: 0,
      position: prompt.length,
      end,
      tokens: [],
      pending: null,
      error: null,
      ended: false,
    };
    try {
      // Applied once: the sampler accepts each token it samples (the repeat penalty's history and the grammar move
      // on in llama.cpp), so it needs nothing from JS between steps.
      sampler.applyConfig(samplerConfig(sampling));
      this.active.set(id, active);
      this.prefills.push(active);
      this.schedule();
      for (let n = 1; ; n++) {
        const token = await this.next(active);
        if (token < 0) throw new Error("Failed to sample next token");
        if (!sampling.yieldEog && this.model.isEogToken(token)) return;
        yield token;
        if (n === maxTokens) return;
      }
    } finally {
      active.ended = true;
      if (this.active.get(id) === active) this.active.delete(id);
      const waiting = this.prefills.indexOf(active);
      if (waiting >= 0) this.prefills.splice(waiting, 1);
      if (active.error) this.cache?.drop(id);
      else this.cache?.release(id);
      if (active.inFlight === 0) sampler.dispose();
      // The others may be waiting for this one to take its tokens.
      this.schedule();
    }
  }

  private next(a: Active): Promise<Token> {
    if (a.error) return Promise.reject(a.error);
    const token = a.tokens.shift();
    this.schedule();
    if (token !== undefined) return Promise.resolve(token);
    // Before maxTokens (the generator stops there), only a full context can leave nothing to wait for, once the
    // prompt is in: a one-token request ends where its prompt does, and its token comes with the prompt's last chunk.
    if (a.inFlight === 0 && a.prefilled === a.prompt.length && a.position >= a.end) {
      return Promise.reject(new RangeError(`sequence ${a.id} is full: ${this.context.contextSize} tokens`));
    }
    return new Promise<Token>((resolve, reject) => (a.pending = { resolve, reject }));
  }

  /** Submits steps once the callbacks and microtasks now queued have run: by then callers have taken their tokens. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.submitTokenSteps();
    });
  }

  /**
   * Submits steps until STEPS_AHEAD are queued: a prompt chunk and a token step take turns while both are wanted (a
   * token step is not wanted while it waits for a caller behind, then the prompts go on alone).
   */
  private submitTokenSteps(): void {
    while (this.submitted.length < STEPS_AHEAD) {
      const prefill = this.prefills[0];
      const tokens = this.readyForTokenStep();
      if (prefill && (!tokens || this.lastKind === "token")) this.submitChunk(prefill);
      else if (tokens) this.submitTokenStep(tokens);
      else return;
    }
  }

  /** The sequences for the next token step, or null when none should run now. */
  private readyForTokenStep(): Active[] | null {
    if (this.tokenSteps >= STEPS_AHEAD) return null;
    const generating = [...this.active.values()].filter((a) => a.joined && !a.error && a.position < a.end);
    const ready = generating.filter((a) => a.tokens.length + a.inFlight < STEPS_AHEAD);
    if (ready.length === 0) return null;
    if (ready.length < generating.length && !this.waitedOut) {
      // Keep the batch whole: wait (a while) for the callers behind to take their tokens.
      this.waitTimer ??= setTimeout(() => {
        this.waitTimer = null;
        this.waitedOut = true;
        this.schedule();
      }, this.maxWaitMs);
      return null;
    }
    return ready.sort((a, b) => a.id - b.id);
  }

  private submitTokenStep(ready: Active[]): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.waitedOut = false;
    try {
      this.runner.submitTokens(Int32Array.from(ready, (a) => a.id), ready.map((a) => a.sampler));
    } catch (err) {
      for (const a of ready) fail(a, err);
      return;
    }
    this.submitted.push({ kind: "token", items: ready });
    this.lastKind = "token";
    this.tokenSteps++;
    for (const a of ready) {
      a.inFlight++;
      a.position++;
      a.decoded++;
    }
  }

  /** The next chunk of `a`'s prompt; its first chunk starts after what the prefix cache holds of the prompt. */
  private submitChunk(a: Active): void {
    let copyFrom = -1;
    if (a.prefilled === 0) {
      const match = this.cache?.match(a.prompt, a.id, this.runner.copies) ?? null;
      if (match) {
        a.prefilled = match.length;
        if (match.source !== a.id) copyFrom = match.source;
        this.stats.cachedTokens += match.length;
        if (copyFrom >= 0) this.stats.copiedTokens += match.length;
      }
      this.cache?.hold(a.id, () => [...a.prompt.slice(0, a.prefilled), ...a.sampled.slice(0, a.decoded)]);
    }
    const start = a.prefilled;
    const chunk = a.prompt.slice(start, start + this.prefillChunk);
    const last = start + chunk.length === a.prompt.length;
    try {
      this.runner.submitPrompt(a.id, Uint32Array.from(chunk), last ? a.sampler : null, start, copyFrom);
    } catch (err) {
      this.prefills.shift();
      fail(a, err);
      this.cache?.drop(a.id);
      return;
    }
    a.prefilled += chunk.length;
    a.inFlight++;
    this.stats.promptTokens += chunk.length;
    if (last) this.prefills.shift();
    this.submitted.push({ kind: last ? "prompt" : "chunk", items: [a] });
    this.lastKind = last ? "prompt" : "chunk";
  }

  /** The runner's result of the oldest submitted step. */
  private completed(error: string | null, tokens: Int32Array, [decodeMs, sampleMs, waitedMs]: Float64Array): void {
    const step = this.submitted.shift()!;
    const tokenStep = step.kind === "token";
    if (tokenStep) this.tokenSteps--;
    if (tokenStep && !error) {
      this.stats.steps++;
      this.stats.tokens += step.items.length;
      this.stats.decodeMs += decodeMs!;
      this.stats.sampleMs += sampleMs!;
      if (this.afterTokenStep) this.stats.idleMs += waitedMs!;
    } else if (!error) {
      if (step.kind === "prompt") this.stats.prompts++;
      this.stats.promptMs += decodeMs! + sampleMs!;
    }
    this.afterTokenStep = tokenStep;
    step.items.forEach((a, i) => {
      a.inFlight--;
      if (error) this.cache?.drop(a.id);
      if (!error && step.kind !== "chunk") a.sampled.push(tokens[i]! as Token);
      if (a.ended) {
        if (a.inFlight === 0) a.sampler.dispose();
        return;
      }
      if (error) {
        fail(a, new Error(error));
        return;
      }
      if (step.kind === "chunk") return;
      a.joined = true;
      const token = tokens[i]! as Token;
      const p = settle(a);
      if (p) p.resolve(token);
      else a.tokens.push(token);
    });
    if (this.submitted.length === 0) this.drained?.();
    this.schedule();
  }
}

/** node-llama-cpp's default history for the repeat penalty. */
const PUNISH_TOKENS = 64;

function samplerConfig(s: SequenceSampling): NativeSamplerConfig {
  return {
    temperature: s.temperature,
    ...(s.temperature > 0 ? { topK: s.topK ?? 40, topP: s.topP ?? 1, ...(s.seed !== undefined ? { seed: s.seed } : {}) } : {}),
    ...(s.repeatPenalty ? { repeatPenalty: s.repeatPenalty, repeatPenaltyMaxTokens: PUNISH_TOKENS, repeatPenaltyTokens: new Uint32Array(0) } : {}),
    ...(s.grammar ? { grammarEvaluationState: nativeGrammarState(s.grammar) } : {}),
  };
}

function fail(a: Active, err: unknown): void {
  a.error = err;
  settle(a)?.reject(err);
}

function settle(a: Active): Pending | null {
  const p = a.pending;
  a.pending = null;
  return p;
}
