import type { NativeContext, NativeDecodeLoop, NativeLlama, NativeSampler, StepCallback } from "./native-llama";

/**
 * Runs a context's decode steps in submission order and reports each through `onStep` (see StepCallback): a prompt
 * step (a whole prompt or one chunk of it) removes its sequence's cells from its start position on, decodes its
 * tokens there and, when it has a sampler, samples one token; a token step decodes the token each sequence sampled
 * last, at its next position, all in one batch, and samples one token each. Steps may be submitted while earlier ones
 * run. `copies`: whether a prompt step can start from another sequence's cells (copyFrom; the native loop only).
 */
export type StepRunner = NativeDecodeLoop & { readonly copies: boolean };

/**
 * The native loop (AddonDecodeLoop: a thread per context, which starts each step as soon as the one before has
 * sampled) where the addon has it and `native` is not false; else node-llama-cpp's own asynchronous calls.
 */
export function createStepRunner(native: NativeLlama, batchSize: number, onStep: StepCallback, useNative = true): StepRunner {
  if (useNative && native.newDecodeLoop) return Object.assign(native.newDecodeLoop(onStep), { copies: true });
  return new NodeLlamaSteps(native.context, batchSize, onStep);
}

/**
 * The same steps through node-llama-cpp's decodeBatch and one sampleToken per sequence (prebuilt binaries), without
 * copies between sequences: node-llama-cpp 3.21.1 exposes no llama_memory_seq_cp.
 */
class NodeLlamaSteps implements StepRunner {
  readonly copies = false;
  private tail: Promise<void> = Promise.resolve();
  private readonly positions = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private lastEnd = performance.now();
  private disposed = false;

  constructor(
    private readonly context: NativeContext,
    private readonly batchSize: number,
    private readonly onStep: StepCallback,
  ) {}

  submitPrompt(sequenceId: number, tokens: Uint32Array, sampler: NativeSampler | null, start = 0, copyFrom = -1): void {
    if (tokens.length === 0) throw new RangeError("empty prompt");
    if (copyFrom >= 0) throw new Error("node-llama-cpp's calls cannot copy a sequence");
    const prompt = Uint32Array.from(tokens);
    this.enqueue(async () => {
      const { context } = this;
      if (start === 0) context.disposeSequence(sequenceId);
      else if (!context.removeTokenCellsFromSequence(sequenceId, start, -1)) throw new Error(`could not remove the cells of sequence ${sequenceId} from position ${start}`);
      this.last.delete(sequenceId);
      let index = 0;
      for (let offset = 0; offset < prompt.length; offset += this.batchSize) {
        const chunk = prompt.subarray(offset, offset + this.batchSize);
        const final = sampler !== null && offset + this.batchSize >= prompt.length;
        context.initBatch(chunk.length);
        index = context.addToBatch(sequenceId, start + offset, chunk, final ? Uint32Array.of(chunk.length - 1) : NO_LOGITS)[0] ?? 0;
        await context.decodeBatch();
      }
      this.positions.set(sequenceId, start + prompt.length);
      return sampler ? this.sample([sequenceId], [sampler], [index]) : { tokens: [], decoded: performance.now() };
    });
  }

  submitTokens(sequenceIds: Int32Array, samplers: NativeSampler[]): void {
    const ids = [...sequenceIds];
    this.enqueue(async () => {
      const { context } = this;
      context.initBatch(ids.length);
      const indexes = ids.map((id) => {
        const token = this.last.get(id);
        if (token === undefined) throw new Error(`sequence ${id} has no sampled token to decode`);
        const position = this.positions.get(id)!;
        this.positions.set(id, position + 1);
        return context.addToBatch(id, position, Uint32Array.of(token), ONE_LOGIT)[0]!;
      });
      await context.decodeBatch();
      return this.sample(ids, [...samplers], indexes);
    });
  }

  dispose(): void {
    this.disposed = true;
  }

  private async sample(ids: number[], samplers: NativeSampler[], indexes: number[]) {
    const decoded = performance.now();
    const tokens = await Promise.all(samplers.map((s, i) => this.context.sampleToken(indexes[i]!, s)));
    ids.forEach((id, i) => this.last.set(id, tokens[i]!));
    return { tokens, decoded };
  }

  private enqueue(run: () => Promise<{ tokens: number[]; decoded: number }>): void {
    if (this.disposed) throw new Error("the step runner is disposed");
    this.tail = this.tail.then(async () => {
      const started = performance.now();
      const idle = started - this.lastEnd;
      let result: { tokens: number[]; decoded: number } | null = null;
      let error: string | null = null;
      try {
        result = await run();
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      this.lastEnd = performance.now();
      const timings = result ? Float64Array.of(result.decoded - started, this.lastEnd - result.decoded, idle) : Float64Array.of(0, 0, idle);
      this.onStep(error, Int32Array.from(result?.tokens ?? []), timings);
    });
  }
}

const NO_LOGITS = new Uint32Array(0);
const ONE_LOGIT = Uint32Array.of(0);
