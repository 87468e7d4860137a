import { randomFillSync } from "node:crypto";
import { copyFile, open, writeFile } from "node:fs/promises";
import path from "node:path";

export type LlamaShape = { hidden: number; layers: number; ffn: number; heads: number; kvHeads: number; vocab: number };

/** TinyLlama-1.1B (hidden 2048, 22 layers, ffn 5632, 32 q / 4 kv heads, vocab 32000): 1.1 B parameters, ~2.2 GB f16. */
export const TINYLLAMA_SHAPE: LlamaShape = { hidden: 2048, layers: 22, ffn: 5632, heads: 32, kvHeads: 4, vocab: 32000 };

function tensorShapes(s: LlamaShape): [string, number[]][] {
  const kvDim = (s.hidden / s.heads) * s.kvHeads;
  const out: [string, number[]][] = [["model.embed_tokens.weight", [s.vocab, s.hidden]]];
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      [`${p}self_attn.q_proj.weight`, [s.hidden, s.hidden]],
      [`${p}self_attn.k_proj.weight`, [kvDim, s.hidden]],
      [`${p}self_attn.v_proj.weight`, [kvDim, s.hidden]],
      [`${p}self_attn.o_proj.weight`, [s.hidden, s.hidden]],
      [`${p}mlp.gate_proj.weight`, [s.ffn, s.hidden]],
      [`${p}mlp.up_proj.weight`, [s.ffn, s.hidden]],
      [`${p}mlp.down_proj.weight`, [s.hidden, s.ffn]],
      [`${p}input_layernorm.weight`, [s.hidden]],
      [`${p}post_attention_layernorm.weight`, [s.hidden]],
    );
  }
  out.push(["model.norm.weight", [s.hidden]], ["lm_head.weight", [s.vocab, s.hidden]]);
  return out;
}

/**
 * Writes a random F16 (or BF16) Llama checkpoint (model.safetensors, config.json, the fixture's tokenizer) to `dir`,
 * streaming 4 MiB at a time. Values are finite with |x| in [2^-5, 1), like trained weights.
 */
export async function generateCheckpoint(params: { dir: string; shape: LlamaShape; tokenizerDir: string; dtype?: "F16" | "BF16" }): Promise<number> {
  const { dir, shape } = params;
  const dtype = params.dtype ?? "F16";
  // Sign and mantissa random, exponent in [2^-5, 2^-1]: F16 has 10 mantissa bits and bias 15, BF16 7 and 127.
  const [mantissa, bias] = dtype === "F16" ? [10, 15] : [7, 127];
  const keep = 0x8000 | ((1 << mantissa) - 1);
  const tensors = tensorShapes(shape);
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const [name, dims] of tensors) {
    const bytes = dims.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype, shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const fh = await open(path.join(dir, "model.safetensors"), "w");
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    await fh.write(len);
    await fh.write(json);
    const chunk = new Uint16Array(2 * 1024 * 1024);
    for (let left = offset; left > 0; left -= chunk.byteLength) {
      randomFillSync(chunk);
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i]!;
        chunk[i] = (r & keep) | ((bias - 5 + ((r >>> mantissa) & 3) + ((r >>> (mantissa + 2)) & 1)) << mantissa);
      }
      const n = Math.min(left, chunk.byteLength);
      await fh.write(new Uint8Array(chunk.buffer, 0, n));
    }
  } finally {
    await fh.close();
  }
  await writeFile(
    path.join(dir, "config.json"),
    JSON.stringify({
      architectures: ["LlamaForCausalLM"],
      model_type: "llama",
      hidden_size: shape.hidden,
      intermediate_size: shape.ffn,
      num_hidden_layers: shape.layers,
      num_attention_heads: shape.heads,
      num_key_value_heads: shape.kvHeads,
      vocab_size: shape.vocab,
      max_position_embeddings: 2048,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      bos_token_id: 1,
      eos_token_id: 2,
    }),
  );
  for (const f of ["tokenizer.model", "tokenizer_config.json"]) await copyFile(path.join(params.tokenizerDir, f), path.join(dir, f));
  return 8 + json.length + offset;
}
