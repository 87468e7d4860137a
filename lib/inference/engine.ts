import os from "node:os";
import path from "node:path";
import { config } from "../config/env";
import { depotLlama } from "./llama";
import { ModelResidency } from "./residency";

/** INFERENCE_MODEL_SEQUENCES "a=8,b=2" → Map; keys are model names or .gguf file names without the extension. */
export function parseModelSequences(spec: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec.split(",").filter(Boolean)) {
    const [k, v] = part.split("=");
    if (k && v) out.set(k.trim(), Number(v));
  }
  return out;
}

const globalForEngine = globalThis as unknown as { depotResidency?: Promise<ModelResidency> };

/** This process's model residency, configured from INFERENCE_* settings (one per worker, like the Llama). */
export function inferenceEngine(): Promise<ModelResidency> {
  globalForEngine.depotResidency ??= (async () => {
    const cfg = config();
    const llama = await depotLlama();
    const perModel = parseModelSequences(cfg.INFERENCE_MODEL_SEQUENCES);
    let budgetBytes = cfg.INFERENCE_MEMORY_MB * 2 ** 20;
    if (budgetBytes === 0) budgetBytes = llama.gpu === false ? os.totalmem() / 2 : (await llama.getVramState()).total * 0.9;
    return new ModelResidency({
      llama,
      budgetBytes,
      contextSize: cfg.INFERENCE_CONTEXT_SIZE,
      threads: cfg.INFERENCE_THREADS,
      sequencesFor: (file) =>
        perModel.get(path.basename(path.dirname(file))) ?? perModel.get(path.basename(file, ".gguf")) ?? cfg.INFERENCE_SEQUENCES,
    });
  })();
  return globalForEngine.depotResidency;
}
