import { readdir } from "node:fs/promises";

export type CheckpointFormat = "safetensors" | "pytorch" | "meta";

export type DetectedCheckpoint = {
  format: CheckpointFormat;
  /** Weight files (names relative to the directory), in shard order. */
  files: string[];
};

const SAFETENSORS = /^(model\.safetensors\.index\.json|.+\.safetensors)$/;
const PYTORCH = /^pytorch_model(-\d+-of-\d+)?\.bin$/;
const META = /^consolidated\.\d+\.pth$/;

/**
 * Which checkpoint a model directory holds, preferring safetensors (as llama.cpp does); `null` when it holds none.
 */
export async function detectCheckpointFormat(params: { dir: string }): Promise<DetectedCheckpoint | null> {
  const names = (await readdir(params.dir)).sort();
  const pick = (re: RegExp) => names.filter((n) => re.test(n));
  const safetensors = pick(SAFETENSORS);
  if (safetensors.length > 0) return { format: "safetensors", files: safetensors };
  const pytorch = pick(PYTORCH);
  if (pytorch.length > 0) return { format: "pytorch", files: pytorch };
  const meta = pick(META);
  if (meta.length > 0) return { format: "meta", files: meta };
  return null;
}
