import { samplingParams, type GenerationInput, type SamplingInput } from "../generation/sampling";
import { inferenceEngine } from "../inference/engine";
import type { GenerationResult } from "../inference/generate-tokens";
import { runGeneration } from "../inference/run-generation";
import { findModel } from "./find-model";
import { modelFile } from "./model-file";

/**
 * The one worker-side entry of a generation, for batch items and interactive requests alike: the inventory model
 * (runnable now) and its GGUF file, on this process's resident engine, with the sampling parsed.
 */
export async function generateOnModel(params: {
  modelId: string;
  input: GenerationInput;
  sampling: SamplingInput;
  signal: AbortSignal;
  onText?: (delta: string) => void;
}): Promise<GenerationResult> {
  const model = await findModel({ ref: params.modelId });
  return runGeneration({
    residency: await inferenceEngine(),
    modelPath: await modelFile(model),
    input: params.input,
    sampling: samplingParams.parse(params.sampling),
    signal: params.signal,
    onText: params.onText,
  });
}
