import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { writePatternFile } from "./pattern-file";

const TINY_HF = path.resolve(import.meta.dirname, "../fixtures/tiny-llama/hf");

/**
 * A repo laid out like meta-llama/Llama-3.1-8B-Instruct on the Hub: sharded safetensors with their index,
 * tokenizer.json (no tokenizer.model at the top), config files, and Meta's own checkpoint under `original/`
 * (consolidated.00.pth, params.json, tokenizer.model). The shards are copies of the tiny-llama safetensors; the
 * `original/` files are pattern-filled stand-ins. Returns the repo's file paths.
 */
export async function buildHfLlama3Repo(dir: string): Promise<string[]> {
  await mkdir(path.join(dir, "original"), { recursive: true });
  const shards = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
  for (const s of shards) await copyFile(path.join(TINY_HF, "model.safetensors"), path.join(dir, s));
  await copyFile(path.join(TINY_HF, "config.json"), path.join(dir, "config.json"));
  await copyFile(path.join(TINY_HF, "generation_config.json"), path.join(dir, "generation_config.json"));
  await copyFile(path.join(TINY_HF, "special_tokens_map.json"), path.join(dir, "special_tokens_map.json"));
  await writeFile(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: { "lm_head.weight": shards[1] } }));
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify({ version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } }));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify({ tokenizer_class: "PreTrainedTokenizerFast", bos_token: "<|begin_of_text|>" }));
  await writeFile(path.join(dir, "README.md"), "# Llama 3.1 (test stand-in)\n");
  await writePatternFile(path.join(dir, "original", "consolidated.00.pth"), 3_000_000);
  await writeFile(path.join(dir, "original", "params.json"), JSON.stringify({ dim: 64, n_layers: 2, n_heads: 4, vocab_size: 256 }));
  await writeFile(path.join(dir, "original", "tokenizer.model"), "IQ== 0\nIg== 1\n");
  return [
    "README.md", "config.json", "generation_config.json", ...shards, "model.safetensors.index.json", "special_tokens_map.json",
    "tokenizer.json", "tokenizer_config.json", "original/consolidated.00.pth", "original/params.json", "original/tokenizer.model",
  ];
}
