// Adds llama-depot's native code to node-llama-cpp's addon sources (run on postinstall): native/node-llama-cpp/*.cpp
// (batch sampling, per-GPU memory) registered in addon.cpp, and AddonModel reading splitMode, mainGpu and tensorSplit
// into llama_model_params (node-llama-cpp 3.21.1 forwards none of them). Only source builds compile it, the worker's
// CUDA build among them (lib/inference/llama.ts builds from source where no prebuilt binary fits the card); prebuilt
// binaries lack it: lib/inference/step-runner.ts falls back to node-llama-cpp's own decode and sampling calls, and
// lib/inference/model-split.ts refuses split options. Idempotent, and it fails loudly if node-llama-cpp's sources moved.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const NATIVE_FILES = ["AddonBatchSampling.cpp", "AddonGpuDevices.cpp"];

/** Where an addition goes: right after `anchor`, which must occur once in the file (unless the addition is there already). */
type Insertion = { file: string; anchor: string; addition: string };

const SPLIT_OPTIONS = `
        // llama-depot (scripts/patch-node-llama-cpp.ts): how a model is spread over several GPUs.
        if (options.Has("splitMode")) {
            model_params.split_mode = static_cast<llama_split_mode>(options.Get("splitMode").As<Napi::Number>().Int32Value());
        }

        if (options.Has("mainGpu")) {
            model_params.main_gpu = options.Get("mainGpu").As<Napi::Number>().Int32Value();
        }

        if (options.Has("tensorSplit")) {
            Napi::Array tensorSplitArray = options.Get("tensorSplit").As<Napi::Array>();
            if (tensorSplitArray.Length() > llama_max_devices()) {
                Napi::RangeError::New(info.Env(), "tensorSplit has more entries than llama_max_devices()").ThrowAsJavaScriptException();
                return;
            }
            tensor_split.assign(llama_max_devices(), 0.0f);
            for (uint32_t i = 0; i < tensorSplitArray.Length(); i++) {
                tensor_split[i] = tensorSplitArray.Get(i).As<Napi::Number>().FloatValue();
            }
            model_params.tensor_split = tensor_split.data();
        }
`;

const INSERTIONS: Insertion[] = [
  { file: "addon.cpp", anchor: '#include "AddonSampler.h"\n', addition: "void addonBatchSamplingInit(Napi::Object exports);\n" },
  { file: "addon.cpp", anchor: '#include "AddonSampler.h"\n', addition: "void addonGpuDevicesInit(Napi::Object exports);\n" },
  { file: "addon.cpp", anchor: "    AddonSampler::init(exports);\n", addition: "    addonBatchSamplingInit(exports);\n" },
  { file: "addon.cpp", anchor: "    AddonSampler::init(exports);\n", addition: "    addonGpuDevicesInit(exports);\n" },
  // model_params.tensor_split is a pointer that llama.cpp reads at load, after the constructor returns: the array lives in the model.
  { file: "AddonModel.h", anchor: "        std::vector<llama_model_kv_override> kv_overrides;\n", addition: "        std::vector<float> tensor_split;\n" },
  {
    file: "AddonModel.cpp",
    anchor: '        if (options.Has("gpuLayers")) {\n            model_params.n_gpu_layers = options.Get("gpuLayers").As<Napi::Number>().Int32Value();\n        }\n',
    addition: SPLIT_OPTIONS,
  },
];

/** `addonDir`: node-llama-cpp's `llama/addon` folder. Returns whether any of its sources had to be changed. */
export function patchAddon(addonDir: string): boolean {
  for (const f of NATIVE_FILES) copyFileSync(path.join(root, "native/node-llama-cpp", f), path.join(addonDir, f));
  const texts = new Map<string, string>();
  let changed = false;
  for (const { file, anchor, addition } of INSERTIONS) {
    const full = path.join(addonDir, file);
    const text = texts.get(full) ?? readFileSync(full, "utf8");
    texts.set(full, text);
    if (text.includes(addition)) continue;
    if (text.split(anchor).length !== 2) {
      throw new Error(`${full}: expected "${anchor.trim().split("\n")[0]}" once; node-llama-cpp's addon changed, update ${path.relative(root, import.meta.filename)}`);
    }
    texts.set(full, text.replace(anchor, `${anchor}${addition}`));
    changed = true;
  }
  for (const [full, text] of texts) if (text !== readFileSync(full, "utf8")) writeFileSync(full, text);
  return changed;
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const changed = patchAddon(path.join(root, "node_modules/node-llama-cpp/llama/addon"));
  console.log(changed ? "added llama-depot's native code to node-llama-cpp's addon sources" : "node-llama-cpp's addon sources already have llama-depot's native code");
}
