import os from "node:os";
import path from "node:path";
import { config } from "../config/env";
import { hasNativeAdditions, queryGpuDevices } from "./gpu-devices";
import { parseTensorSplit, type SplitSettings } from "./gpu-placement";
import { depotLlama } from "./llama";
import { logger } from "../log/logger";
import { ModelResidency } from "./residency";
import { autoSequences, MAX_AUTO_SEQUENCES } from "./sequence-sizing";

/** INFERENCE_MODEL_SEQUENCES "a=8,b=2" → Map; keys are model names or .gguf file names without the extension. */
export function parseModelSequences(spec: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec.split(",").filter(Boolean)) {
    const [k, v] = part.split("=");
    if (k && v) out.set(k.trim(), Number(v));
  }
  return out;
}

/** The inference jobs a worker holds at once: INFERENCE_SEQUENCES, or with automatic sizing the most it can size to. */
export async function inferenceConcurrency(): Promise<number> {
  const { INFERENCE_SEQUENCES } = config();
  if (INFERENCE_SEQUENCES > 0) return INFERENCE_SEQUENCES;
  return (await depotLlama()).gpu === false ? MAX_AUTO_SEQUENCES.cpu : MAX_AUTO_SEQUENCES.gpu;
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
    const split: SplitSettings = { mode: cfg.INFERENCE_SPLIT_MODE, proportions: parseTensorSplit(cfg.INFERENCE_TENSOR_SPLIT) };
    const devices = await queryGpuDevices(llama);
    if (devices.length > 1 && (split.mode !== "layer" || split.proportions) && !hasNativeAdditions(llama)) {
      // Said once here; each load that would need them is refused (lib/inference/model-split.ts).
      logger("inference").warn("INFERENCE_SPLIT_MODE/INFERENCE_TENSOR_SPLIT are set, but this worker runs node-llama-cpp's prebuilt binary, which cannot apply them: models will be refused until they are unset or llama.cpp is built from source");
    }
    return new ModelResidency({
      llama,
      budgetBytes,
      devices: () => queryGpuDevices(llama),
      split,
      contextSize: cfg.INFERENCE_CONTEXT_SIZE,
      threads: cfg.INFERENCE_THREADS,
      sequencesFor: (file, modelBytes, gpus) =>
        perModel.get(path.basename(path.dirname(file))) ??
        perModel.get(path.basename(file, ".gguf")) ??
        (cfg.INFERENCE_SEQUENCES || autoSequences(llama, file, cfg.INFERENCE_CONTEXT_SIZE, modelBytes, gpus)),
    });
  })();
  return globalForEngine.depotResidency;
}
