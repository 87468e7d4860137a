import path from "node:path";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { ModelPlacementError } from "./errors";
import { hasNativeAdditions } from "./gpu-devices";
import type { NativeSplitOptions } from "./gpu-placement";

type AddonModelClass = new (modelPath: string, options: Record<string, unknown>) => unknown;
type Bindings = { AddonModel: AddonModelClass };

/** Split options waiting for their model's native constructor, by the absolute path LlamaModel hands it. */
const pending = new WeakMap<Llama, Map<string, NativeSplitOptions>>();

/**
 * LlamaModel's constructor forwards only the options it knows to the native AddonModel (node-llama-cpp 3.21.1): wrap
 * that class once so that the split options of a load reach it too, keyed by model path (llama.loadModel runs one
 * load at a time, and ModelResidency one load per path).
 */
function pendingFor(llama: Llama): Map<string, NativeSplitOptions> {
  let map = pending.get(llama);
  if (map) return map;
  const m = (map = new Map());
  pending.set(llama, m);
  const bindings = (llama as unknown as { _bindings: Bindings })._bindings;
  bindings.AddonModel = new Proxy(bindings.AddonModel, {
    construct(target, args: [string, Record<string, unknown>]) {
      const extra = m.get(args[0]);
      return Reflect.construct(target, extra ? [args[0], { ...args[1], ...extra }] : args) as object;
    },
  });
  return m;
}

/** Loads a model with llama.cpp's split options; without any, as node-llama-cpp loads it (every build can). */
export async function loadModelSplit(llama: Llama, modelPath: string, split: NativeSplitOptions): Promise<LlamaModel> {
  if (Object.keys(split).length === 0) return llama.loadModel({ modelPath });
  if (!hasNativeAdditions(llama)) {
    throw new ModelPlacementError(
      "split_unsupported",
      `INFERENCE_SPLIT_MODE/INFERENCE_TENSOR_SPLIT need a source build of llama.cpp with llama-depot's addon patch (scripts/patch-node-llama-cpp.ts); this worker runs node-llama-cpp's prebuilt binary, which would ignore them. Unset them to split by free VRAM, or run one worker per GPU (WORKER_PER_GPU=true)`,
    );
  }
  const key = path.resolve(process.cwd(), modelPath);
  const map = pendingFor(llama);
  map.set(key, split);
  try {
    return await llama.loadModel({ modelPath });
  } finally {
    map.delete(key);
  }
}
