// Adds native/node-llama-cpp/AddonBatchSampling.cpp to node-llama-cpp's addon sources (run on postinstall). Only
// source builds compile it, the worker's CUDA build among them (lib/inference/llama.ts builds from source where no
// prebuilt binary fits the card); prebuilt binaries lack it and lib/inference/step-runner.ts falls back to
// node-llama-cpp's own decode and sampling calls. Idempotent, and it fails loudly if node-llama-cpp's sources moved.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const source = path.join(root, "native/node-llama-cpp/AddonBatchSampling.cpp");
const declaration = "void addonBatchSamplingInit(Napi::Object exports);";

/** `addonDir`: node-llama-cpp's `llama/addon` folder. Returns whether addon.cpp had to be changed. */
export function patchAddon(addonDir: string): boolean {
  copyFileSync(source, path.join(addonDir, "AddonBatchSampling.cpp"));
  const file = path.join(addonDir, "addon.cpp");
  const text = readFileSync(file, "utf8");
  if (text.includes(declaration)) return false;
  const include = '#include "AddonSampler.h"\n';
  const init = "    AddonSampler::init(exports);\n";
  for (const a of [include, init]) {
    if (text.split(a).length !== 2) throw new Error(`${file}: expected "${a.trim()}" once; node-llama-cpp's addon changed, update ${path.relative(root, import.meta.filename)}`);
  }
  const patched = text
    .replace(include, `${include}${declaration}\n`)
    .replace(init, `${init}    addonBatchSamplingInit(exports);\n`);
  writeFileSync(file, patched);
  return true;
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const changed = patchAddon(path.join(root, "node_modules/node-llama-cpp/llama/addon"));
  console.log(changed ? "added batch sampling to node-llama-cpp's addon sources" : "node-llama-cpp's addon sources already have batch sampling");
}
