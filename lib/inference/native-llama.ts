import type { Llama, LlamaContext, LlamaGrammarEvaluationState, LlamaModel } from "node-llama-cpp";

// node-llama-cpp 3.21.1's native objects, which lib/inference/step-runner.ts drives directly (internal API; the
// version is pinned in package.json). Only the calls the runners make are typed here.

/** The sampler settings node-llama-cpp's AddonSampler.applyConfig reads (a key left out turns that stage off). */
export type NativeSamplerConfig = {
  /** 0 (or absent): greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  repeatPenalty?: number;
  repeatPenaltyMaxTokens?: number;
  repeatPenaltyTokens?: Uint32Array;
  grammarEvaluationState?: unknown;
};

export type NativeSampler = {
  applyConfig(config: NativeSamplerConfig): void;
  dispose(): void;
};

export type NativeContext = {
  initBatch(size: number): void;
  /** Queues tokens at positions firstPosition…; returns the batch indexes of the tokens whose logits were asked for. */
  addToBatch(sequenceId: number, firstPosition: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  /** The sampled token, or -1 when none could be sampled. */
  sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number>;
  /** Removes every KV cell of the sequence. */
  disposeSequence(sequenceId: number): void;
  /** Removes the sequence's cells at positions [start, end) (end -1: to the end). */
  removeTokenCellsFromSequence(sequenceId: number, start: number, end: number): boolean;
};

/**
 * Called once per submitted step, in submission order: `error` or the sampled tokens (one per sequence of the step),
 * and `timings` = [decode ms (with synchronize), sampling ms, ms the loop waited for this step after the one before].
 */
export type StepCallback = (error: string | null, tokens: Int32Array, timings: Float64Array) => void;

/** native/node-llama-cpp/AddonBatchSampling.cpp's AddonDecodeLoop: a context's steps on a thread of its own. */
export type NativeDecodeLoop = {
  /**
   * A prompt or one chunk of it: `tokens` decoded at positions start… after the sequence's cells from `start` on are
   * removed (with `copyFrom` >= 0, after it took a copy of that sequence's cells); with a sampler (the last chunk) one
   * token is sampled, without one the step gives no token.
   */
  submitPrompt(sequenceId: number, tokens: Uint32Array, sampler: NativeSampler | null, start?: number, copyFrom?: number): void;
  submitTokens(sequenceIds: Int32Array, samplers: NativeSampler[]): void;
  dispose(): void;
};

type Bindings = {
  AddonSampler: new (model: unknown) => NativeSampler;
  /** Present in source builds only (see scripts/patch-node-llama-cpp.ts). */
  AddonDecodeLoop?: new (context: NativeContext, onStep: StepCallback) => NativeDecodeLoop;
};

export type NativeLlama = {
  context: NativeContext;
  newSampler(): NativeSampler;
  newDecodeLoop: ((onStep: StepCallback) => NativeDecodeLoop) | undefined;
};

const bindingsOf = (llama: Llama) => (llama as unknown as { _bindings: Bindings })._bindings;

/** Whether this Llama's addon was built with native/node-llama-cpp (source builds; prebuilt binaries lack it). */
export function hasBatchSampling(llama: Llama): boolean {
  return typeof bindingsOf(llama).AddonDecodeLoop === "function";
}

export function nativeLlama(model: LlamaModel, context: LlamaContext): NativeLlama {
  const m = model as unknown as { _model: unknown; _llama: Llama };
  const { AddonSampler, AddonDecodeLoop } = bindingsOf(m._llama);
  const ctx = (context as unknown as { _ctx: NativeContext })._ctx;
  return {
    context: ctx,
    newSampler: () => new AddonSampler(m._model),
    newDecodeLoop: AddonDecodeLoop && ((onStep) => new AddonDecodeLoop(ctx, onStep)),
  };
}

/** The native state behind a grammar evaluation state, as AddonSampler.applyConfig takes it. */
export function nativeGrammarState(state: LlamaGrammarEvaluationState): unknown {
  return (state as unknown as { _state: unknown })._state;
}
