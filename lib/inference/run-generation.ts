import { buildPrompt } from "./build-prompt";
import { generateTokens, type GenerationResult } from "./generate-tokens";
import { InferenceError } from "./errors";
import type { ModelResidency } from "./residency";
import type { GenerationInput, SamplingParams } from "../generation/sampling";

/**
 * One generation on a resident model: borrows a sequence (waiting while all are busy), builds the prompt in
 * the requested format, applies the JSON schema grammar if any, generates, and gives the sequence back.
 */
export async function runGeneration(params: {
  residency: ModelResidency;
  modelPath: string;
  input: GenerationInput;
  sampling: SamplingParams;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
}): Promise<GenerationResult> {
  const lease = await params.residency.acquire({ modelPath: params.modelPath, signal: params.signal });
  try {
    let promptTokens;
    try {
      promptTokens = buildPrompt({ model: lease.model, input: params.input });
    } catch (err) {
      throw new InferenceError("bad_input", err instanceof Error ? err.message : String(err));
    }
    const grammar = params.sampling.jsonSchema
      ? await params.residency.llama.createGrammarForJsonSchema(params.sampling.jsonSchema as never)
      : undefined;
    try {
      return await generateTokens({ sequence: lease.sequence, model: lease.model, promptTokens, sampling: params.sampling, grammar, signal: params.signal, onText: params.onText });
    } catch (err) {
      if (err instanceof RangeError) throw new InferenceError("context_overflow", err.message);
      throw err;
    }
  } finally {
    lease.release();
  }
}
