import type { Llama, LlamaContext, LlamaGrammarEvaluationState, LlamaModel } from "node-llama-cpp";

// node-llama-cpp 3.21.1's native objects, which lib/inference/batch-decoder.ts drives directly (internal API; the
// version is pinned in package.json). Only the calls the decoder makes are typed here.

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
};

type Bindings = {
  AddonSampler: new (model: unknown) => NativeSampler;
  /**
   * native/node-llama-cpp/AddonBatchSampling.cpp: present in source builds only (see scripts/patch-node-llama-cpp.ts).
   * `timings` receives the milliseconds of the decode and of the sampling.
   */
  decodeBatchAndSample?: (context: NativeContext, samplers: NativeSampler[], batchLogitIndexes: Uint32Array, timings?: Float64Array) => Promise<Int32Array>;
};

export type NativeLlama = {
  context: NativeContext;
  newSampler(): NativeSampler;
  decodeBatchAndSample: Bindings["decodeBatchAndSample"];
};

const bindingsOf = (llama: Llama) => (llama as unknown as { _bindings: Bindings })._bindings;

/** Whether this Llama's addon was built with native/node-llama-cpp (source builds; prebuilt binaries lack it). */
export function hasBatchSampling(llama: Llama): boolean {
  return typeof bindingsOf(llama).decodeBatchAndSample === "function";
}

export function nativeLlama(model: LlamaModel, context: LlamaContext): NativeLlama {
  const m = model as unknown as { _model: unknown; _llama: Llama };
  const bindings = bindingsOf(m._llama);
  return {
    context: (context as unknown as { _ctx: NativeContext })._ctx,
    newSampler: () => new bindings.AddonSampler(m._model),
    decodeBatchAndSample: bindings.decodeBatchAndSample?.bind(bindings),
  };
}

/** The native state behind a grammar evaluation state, as AddonSampler.applyConfig takes it. */
export function nativeGrammarState(state: LlamaGrammarEvaluationState): unknown {
  return (state as unknown as { _state: unknown })._state;
}
