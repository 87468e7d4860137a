import picomatch from "picomatch";

/** Config, tokenizer and generation files that go with any weight format. */
export const DEFAULT_SIDE_FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer.model",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
];

const SAFETENSORS = ["*.safetensors", "model.safetensors.index.json"];
const PYTORCH = ["pytorch_model*.bin", "pytorch_model.bin.index.json"];

/**
 * Which repo files to fetch. With no `include`: safetensors when the repo has any, else `pytorch_model*.bin`,
 * plus the side files. With `include`: what it matches. `exclude` always wins. Never both weight formats: when
 * the selection has safetensors weights, PyTorch `.bin` weights are dropped.
 */
export function selectFiles<T extends { path: string }>(params: { files: T[]; include?: string[]; exclude?: string[] }): T[] {
  const top = (globs: string[]) => picomatch(globs, { dot: false });
  const hasSafetensors = params.files.some((f) => top(["*.safetensors"])(f.path));
  const include = params.include?.length
    ? picomatch(params.include, { dot: false })
    : top([...(hasSafetensors ? SAFETENSORS : PYTORCH), ...DEFAULT_SIDE_FILES]);
  const exclude = params.exclude?.length ? picomatch(params.exclude, { dot: false }) : () => false;
  const chosen = params.files.filter((f) => include(f.path) && !exclude(f.path));
  const isBinWeights = picomatch(["**/*.bin", "*.bin"]);
  const isSafeWeights = picomatch(["**/*.safetensors", "*.safetensors"]);
  return chosen.some((f) => isSafeWeights(f.path)) ? chosen.filter((f) => !isBinWeights(f.path)) : chosen;
}
