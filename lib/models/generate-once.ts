import { stat } from "node:fs/promises";
import { depotLlama } from "../inference/llama";
import { findModel } from "./find-model";
import type { GenerationResult } from "../inference/generate-tokens";
import { modelFile } from "./model-file";
import { ModelResidency } from "../inference/residency";
import { runGeneration } from "../inference/run-generation";
import { samplingParams, type GenerationInput, type SamplingInput } from "../generation/sampling";

/**
 * One generation in this process, without the server: `model` is a .gguf path or a model's name or id in the
 * inventory. Loads the model with one sequence, generates, and unloads it.
 */
export async function generateOnce(params: {
  model: string;
  input: GenerationInput;
  sampling: SamplingInput;
  contextSize?: number;
  threads?: number;
  onText?: (delta: string) => void;
}): Promise<GenerationResult & { modelPath: string }> {
  const isFile = params.model.endsWith(".gguf") && (await stat(params.model).then((s) => s.isFile(), () => false));
  const modelPath = isFile ? params.model : await modelFile(await findModel({ ref: params.model }));
  const sampling = samplingParams.parse(params.sampling);
  const residency = new ModelResidency({
    llama: await depotLlama(),
    budgetBytes: Number.MAX_SAFE_INTEGER,
    sequencesFor: () => 1,
    contextSize: params.contextSize ?? 4096,
    threads: params.threads,
  });
  try {
    const r = await runGeneration({ residency, modelPath, input: params.input, sampling, onText: params.onText });
    return { ...r, modelPath };
  } finally {
    await residency.dispose();
  }
}
