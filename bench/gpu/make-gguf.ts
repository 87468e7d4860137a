import { open, rename } from "node:fs/promises";
import { llamaMetadata } from "../../lib/convert/llama";
import { buildLlamaVocab } from "../../lib/convert/tokenizer";
import { chooseTensorType, quantizeChunk, type OutputType } from "../../lib/convert/quants";
import { GGML_QUANT_SIZES, GgufWriter } from "../../lib/gguf";

export type LlamaShape = { dim: number; layers: number; heads: number; ffn: number; vocab: number; context: number };

/** Llama-2-7B's hyper-parameters (Meta's params.json / HF config.json). */
export const LLAMA2_7B: LlamaShape = { dim: 4096, layers: 32, heads: 32, ffn: 11008, vocab: 32000, context: 4096 };

type Shape = readonly number[];

/** Tensors in convert_hf_to_gguf.py's order, shapes in PyTorch order (rows first). */
function llamaTensors(h: LlamaShape): Array<{ name: string; shape: Shape }> {
  const out: Array<{ name: string; shape: Shape }> = [{ name: "token_embd.weight", shape: [h.vocab, h.dim] }];
  for (let i = 0; i < h.layers; i++) {
    const b = `blk.${i}`;
    out.push(
      { name: `${b}.attn_norm.weight`, shape: [h.dim] },
      { name: `${b}.ffn_down.weight`, shape: [h.dim, h.ffn] },
      { name: `${b}.ffn_gate.weight`, shape: [h.ffn, h.dim] },
      { name: `${b}.ffn_up.weight`, shape: [h.ffn, h.dim] },
      { name: `${b}.ffn_norm.weight`, shape: [h.dim] },
      { name: `${b}.attn_k.weight`, shape: [h.dim, h.dim] },
      { name: `${b}.attn_output.weight`, shape: [h.dim, h.dim] },
      { name: `${b}.attn_q.weight`, shape: [h.dim, h.dim] },
      { name: `${b}.attn_v.weight`, shape: [h.dim, h.dim] },
    );
  }
  out.push({ name: "output_norm.weight", shape: [h.dim] }, { name: "output.weight", shape: [h.vocab, h.dim] });
  return out;
}

/** xorshift32 in [-scale, scale) + center: fast, seeded, never all zeros. */
function randomFloats(n: number, seed: number, scale: number, center = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = center + ((s >>> 0) / 2 ** 31 - 1) * scale;
  }
  return out;
}

const POOL_VALUES = 16 * 2 ** 20;
const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Writes a random-weight GGUF of the given Llama shape through lib/gguf's streaming writer, quantized by lib/convert's
 * quantizers, with the real Llama SentencePiece tokenizer from `tokenizerDir`. Quantizing 6.7 B random values in JS
 * would take minutes of device time, so each weight type gets a 16 Mi-value pool of random values quantized once, and
 * every matrix is streamed from that pool starting at its own block-aligned offset: speed measurements only need
 * non-zero, finite, realistically scaled weights (uniform ±0.035, about a real 7B's spread), not distinct ones.
 */
export async function makeGguf(params: { outFile: string; type: OutputType; tokenizerDir: string; shape?: LlamaShape }): Promise<{ bytes: number; parameterCount: number }> {
  const h = params.shape ?? LLAMA2_7B;
  const tensors = llamaTensors(h);
  const parameterCount = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const kv = llamaMetadata({
    hparams: {
      blockCount: h.layers,
      contextLength: h.context,
      embeddingLength: h.dim,
      feedForwardLength: h.ffn,
      headCount: h.heads,
      headCountKv: h.heads,
      ropeFreqBase: 10000,
      rmsEps: 1e-5,
      vocabSize: h.vocab,
      ropeDimensionCount: h.dim / h.heads,
    },
    samplingKv: [],
    llama3: false,
    tokenizerKv: await buildLlamaVocab({ dir: params.tokenizerDir, vocabSize: h.vocab }),
    type: params.type,
    name: `Random Llama 2 7B shape ${params.type.toUpperCase()}`,
    parameterCount,
  });

  const tmp = `${params.outFile}.tmp`;
  const fh = await open(tmp, "w");
  try {
    const writer = new GgufWriter(fh);
    for (const k of kv) writer.addKv(k.key, k);
    const types = tensors.map((t) => chooseTensorType({ outType: params.type, shape: t.shape }));
    tensors.forEach((t, i) => writer.addTensorInfo(t.name, [...t.shape].reverse(), types[i]!));
    await writer.writeHeader();
    await writer.writeKvData();
    await writer.writeTensorInfo();

    const pools = new Map<number, Uint8Array>();
    const poolFor = (ggmlType: number): Uint8Array => {
      let pool = pools.get(ggmlType);
      if (!pool) {
        const values = randomFloats(POOL_VALUES, 0x9e3779b9 ^ ggmlType, 0.035);
        const [block, typeSize] = GGML_QUANT_SIZES[ggmlType as keyof typeof GGML_QUANT_SIZES];
        const job = { bytes: new Uint8Array(values.buffer), dtype: "F32" as const, ggmlType, outBytes: (POOL_VALUES / block) * typeSize };
        pool = quantizeChunk(job);
        pools.set(ggmlType, pool);
      }
      return pool;
    };
    for (const [i, t] of tensors.entries()) {
      const type = types[i]!;
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.shape.length === 1) {
        // Norm weights near 1, as in trained models (zeros would erase the activations).
        await writer.writeTensorData(t.name, new Uint8Array(randomFloats(n, i + 1, 0.1, 1).buffer));
        continue;
      }
      const [block, typeSize] = GGML_QUANT_SIZES[type];
      const pool = poolFor(type);
      const poolBlocks = pool.length / typeSize;
      let left = (n / block) * typeSize;
      let at = ((i * 7919) % poolBlocks) * typeSize;
      while (left > 0) {
        const take = Math.min(left, CHUNK_BYTES - (CHUNK_BYTES % typeSize), pool.length - at);
        await writer.writeTensorData(t.name, pool.subarray(at, at + take));
        left -= take;
        at = (at + take) % pool.length;
      }
    }
    await writer.finish();
    await fh.close();
    await rename(tmp, params.outFile);
    return { bytes: writer.plannedSize, parameterCount };
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}
