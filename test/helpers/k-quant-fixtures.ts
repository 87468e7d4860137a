// Test-only: the second K-quant fixture (a random Llama whose rows are mostly multiples of 256) and a per-tensor
// quantization of an F16 GGUF as llama-quantize does it, for comparing with llama-quantize's reference hashes.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { GgmlType, readGguf } from "../../lib/gguf";
import { kQuantTypes, quantizeChunk, type KQuantFileType } from "../../lib/convert/quants";
import { f32ToF16Bits } from "../../lib/convert/quants/float-bits";
import { FIXTURE } from "./gguf-fixtures";
import { writeSafetensors, type TensorData } from "./checkpoint-writers";
import { rng } from "../../bench/serving/workload";

export const K_QUANT_REFERENCE = path.resolve(import.meta.dirname, "../fixtures/k-quants");

/**
 * hidden 256 (rows of 256: the K-quants proper), intermediate 704 (ffn_down rows of 704 = 22·32: llama-quantize's
 * 32-block fallbacks Q4_0/Q5_0/Q5_1/Q8_0), 8 layers (use_more_bits picks layers 0, 3, 6, 7), 8 heads over 2 KV heads
 * (n_gqa 4), tied embeddings (token_embd typed as the output). The tiny fixture adds rows of 64 and 176 (F16).
 */
export const RANDOM_LLAMA_CONFIG = {
  architectures: ["LlamaForCausalLM"],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: "silu",
  hidden_size: 256,
  intermediate_size: 704,
  max_position_embeddings: 2048,
  model_type: "llama",
  num_attention_heads: 8,
  num_hidden_layers: 8,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  tie_word_embeddings: true,
  torch_dtype: "float16",
  vocab_size: 32000,
};

/**
 * F16 values: Gaussian rows whose scale varies row to row (1..7 × `std`), 1% outliers at 12×, and every 16th
 * 256-block of a row all zero, so scales, mins, outlier handling and the all-zero paths all run. `zeroRowsFrom`
 * zeroes the rows after it (the embedding rows of tokens no test uses: the file stays fast to quantize).
 */
function randomF16(rand: () => number, rows: number, cols: number, std: number, zeroRowsFrom = rows): Buffer {
  const out = Buffer.alloc(rows * cols * 2);
  for (let r = 0; r < Math.min(rows, zeroRowsFrom); r++) {
    const s = std * (1 + (r % 7));
    for (let c = 0; c < cols; c++) {
      if ((c >> 8) % 16 === 15) continue;
      const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      out.writeUInt16LE(f32ToF16Bits(g * s * (rand() < 0.01 ? 12 : 1)), 2 * (r * cols + c));
    }
  }
  return out;
}

/**
 * Writes the random Llama as an HF folder (safetensors, config.json, the tiny fixture's Llama 2 tokenizer).
 * `overrides` change the config; `zeros` writes zero weights (for type-mix references, where values do not matter).
 */
export async function writeRandomLlama(dir: string, overrides: Partial<typeof RANDOM_LLAMA_CONFIG> = {}, zeros = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  const config = { ...RANDOM_LLAMA_CONFIG, ...overrides };
  const seeded = rng(20261203); // the same bytes on every machine
  const rand = zeros ? () => 0.5 : seeded;
  const { hidden_size: h, intermediate_size: ff, num_hidden_layers: n, num_key_value_heads: kv, num_attention_heads: heads, vocab_size: vocab } = config;
  const kvDim = (h / heads) * kv;
  const t = (name: string, shape: number[], data: Buffer): TensorData => ({ name, dtype: "F16", shape, data });
  const norm = (name: string) => t(name, [h], Buffer.from(Uint16Array.from({ length: h }, () => f32ToF16Bits(1 + 0.1 * (rand() - 0.5))).buffer));
  const std = zeros ? 0 : 0.02;
  const tensors = [t("model.embed_tokens.weight", [vocab, h], randomF16(rand, vocab, h, std, 1000))];
  for (let i = 0; i < n; i++) {
    const p = `model.layers.${i}`;
    tensors.push(
      norm(`${p}.input_layernorm.weight`),
      t(`${p}.self_attn.q_proj.weight`, [h, h], randomF16(rand, h, h, std)),
      t(`${p}.self_attn.k_proj.weight`, [kvDim, h], randomF16(rand, kvDim, h, std)),
      t(`${p}.self_attn.v_proj.weight`, [kvDim, h], randomF16(rand, kvDim, h, std)),
      t(`${p}.self_attn.o_proj.weight`, [h, h], randomF16(rand, h, h, std)),
      norm(`${p}.post_attention_layernorm.weight`),
      t(`${p}.mlp.gate_proj.weight`, [ff, h], randomF16(rand, ff, h, std)),
      t(`${p}.mlp.up_proj.weight`, [ff, h], randomF16(rand, ff, h, std)),
      t(`${p}.mlp.down_proj.weight`, [h, ff], randomF16(rand, h, ff, std)),
    );
  }
  tensors.push(norm("model.norm.weight"));
  if (!config.tie_word_embeddings) tensors.push(t("lm_head.weight", [vocab, h], randomF16(rand, vocab, h, std, 1000)));
  await writeSafetensors(path.join(dir, "model.safetensors"), tensors);
  await writeFile(path.join(dir, "config.json"), JSON.stringify(config, null, 2));
  for (const f of ["tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"]) {
    await copyFile(path.join(FIXTURE, "hf", f), path.join(dir, f));
  }
}

export type QuantizedTensor = { type: string; sha256: string };

/**
 * Every tensor of an F16 GGUF as llama-quantize would write it for `fileType` (its type mix, its kernels), hashed:
 * the test side of the reference comparison.
 */
export async function quantizeGgufTensors(file: string, fileType: KQuantFileType): Promise<Record<string, QuantizedTensor>> {
  const g = await readGguf({ file });
  const bytes = await readFile(file);
  const u32 = (key: string) => Number(g.metadata[key]!.value);
  const types = kQuantTypes({
    fileType,
    tensors: g.tensors,
    nLayers: u32("llama.block_count"),
    nHead: u32("llama.attention.head_count"),
    nHeadKv: u32("llama.attention.head_count_kv"),
  });
  const out: Record<string, QuantizedTensor> = {};
  for (const t of g.tensors) {
    const data = bytes.subarray(t.absoluteOffset, t.absoluteOffset + t.bytes);
    const type = types.get(t.name)!;
    const dtype = t.type === GgmlType.F32 ? "F32" : "F16";
    const result = type === t.type ? data : quantizeChunk({ bytes: data, dtype, ggmlType: type, kernels: "llama-quantize" });
    out[t.name] = { type: GgmlType[type], sha256: createHash("sha256").update(result).digest("hex") };
  }
  return out;
}
