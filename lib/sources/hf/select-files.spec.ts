import { describe, expect, it } from "vitest";
import { selectFiles } from "./select-files";

const f = (...paths: string[]) => paths.map((path) => ({ path }));
const names = (xs: Array<{ path: string }>) => xs.map((x) => x.path).sort();

describe("selectFiles", () => {
  const both = f(
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json",
    "special_tokens_map.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
    "model.safetensors.index.json", "pytorch_model-00001-of-00002.bin", "pytorch_model.bin.index.json",
    "README.md", ".gitattributes", "original/consolidated.00.pth", "original/params.json",
  );

  it("defaults to safetensors plus config/tokenizer files, never both formats", () => {
    expect(names(selectFiles({ files: both }))).toEqual([
      "config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json",
    ]);
  });

  it("falls back to pytorch_model*.bin when there are no safetensors", () => {
    const bin = both.filter((x) => !x.path.includes("safetensors"));
    expect(names(selectFiles({ files: bin })).filter((p) => p.startsWith("pytorch"))).toEqual([
      "pytorch_model-00001-of-00002.bin", "pytorch_model.bin.index.json",
    ]);
  });

  it("applies include and exclude globs, still dropping .bin weights next to safetensors", () => {
    expect(names(selectFiles({ files: both, include: ["original/*"] }))).toEqual(["original/consolidated.00.pth", "original/params.json"]);
    expect(names(selectFiles({ files: both, include: ["*"], exclude: ["*.md", "*.json"] }))).toEqual([
      "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "tokenizer.model",
    ]);
  });

  it("takes a Llama 3.x repo's safetensors form, never Meta's checkpoint under original/", () => {
    const llama3 = f(
      "config.json", "generation_config.json", "model-00001-of-00004.safetensors", "model-00004-of-00004.safetensors",
      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "LICENSE", "README.md",
      "original/consolidated.00.pth", "original/params.json", "original/tokenizer.model",
    );
    expect(names(selectFiles({ files: llama3 }))).toEqual([
      "config.json", "generation_config.json", "model-00001-of-00004.safetensors", "model-00004-of-00004.safetensors",
      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json",
    ]);
  });
});
