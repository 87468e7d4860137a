import os from "node:os";
import { readGgufFileInfo, type Llama } from "node-llama-cpp";

/**
 * The most sequences sized automatically: 32 on a GPU, because 64 decoded slower than 32 on an H200 (853 vs 1023
 * output tok/s, bench/results/serving-2026-12-03.md: each sequence is its own KV stream); a few on a CPU.
 */
export const MAX_AUTO_SEQUENCES = { gpu: 32, cpu: 4 } as const;

/** What the GPU keeps beside the weights and the KV cache: compute buffers, the CUDA context, fragmentation. */
const RESERVE_BYTES = 2 * 2 ** 30;
/** The weights take about their file size, plus a margin for the output and embedding copies some backends make. */
const WEIGHTS_FACTOR = 1.1;

export type KvShape = { layers: number; embedding: number; heads: number; kvHeads: number };

/** Bytes of KV cache per token: K and V, each kvHeads × head size per layer, in f16 (node-llama-cpp's default). */
export function kvBytesPerToken(s: KvShape): number {
  return 2 * s.layers * (s.embedding / s.heads) * s.kvHeads * 2;
}

/**
 * How many sequences of `contextSize` tokens fit in `freeBytes` beside the model, between 1 and the cap (32 on a GPU,
 * 4 on a CPU, where more sequences share the same cores).
 */
export function sizeSequences(p: { gpu: boolean; freeBytes: number; modelBytes: number; kvBytesPerToken: number; contextSize: number }): number {
  if (p.gpu) return sizeSequencesOnGpus({ ...p, gpus: [{ freeBytes: p.freeBytes, share: 1 }] });
  const room = p.freeBytes - p.modelBytes * WEIGHTS_FACTOR;
  return Math.max(1, Math.min(MAX_AUTO_SEQUENCES.cpu, Math.floor(room / (p.kvBytesPerToken * p.contextSize))));
}

/**
 * The same on a model split over GPUs: each holds its share of the weights and of every sequence's KV cache (a layer
 * split keeps each layer's cache beside it) plus its own reserve, and the fullest one sets the count.
 */
export function sizeSequencesOnGpus(p: { gpus: Array<{ freeBytes: number; share: number }>; modelBytes: number; kvBytesPerToken: number; contextSize: number }): number {
  const perSequence = p.kvBytesPerToken * p.contextSize;
  const fits = p.gpus.filter((g) => g.share > 0).map((g) => Math.floor((g.freeBytes - g.share * p.modelBytes * WEIGHTS_FACTOR - RESERVE_BYTES) / (g.share * perSequence)));
  return Math.max(1, Math.min(MAX_AUTO_SEQUENCES.gpu, ...fits));
}

/** The KV shape of a GGUF from its metadata (head_count_kv defaults to head_count, as in llama.cpp). */
export async function ggufKvShape(modelPath: string): Promise<KvShape> {
  const info = await readGgufFileInfo(modelPath, { readTensorInfo: false });
  const meta = info.metadata as unknown as Record<string, Record<string, unknown>> & { general: { architecture: string } };
  const a = meta[meta.general.architecture] as { block_count: number; embedding_length: number; attention: { head_count: number; head_count_kv?: number } };
  return { layers: a.block_count, embedding: a.embedding_length, heads: a.attention.head_count, kvHeads: a.attention.head_count_kv ?? a.attention.head_count };
}

/**
 * Sequences for a model file on this machine now: on the GPUs it is placed on (`gpus`, from ModelResidency), else the
 * free VRAM on a GPU, free RAM on the CPU.
 */
export async function autoSequences(llama: Llama, modelPath: string, contextSize: number, modelBytes: number, gpus?: Array<{ freeBytes: number; share: number }>): Promise<number> {
  const kv = kvBytesPerToken(await ggufKvShape(modelPath));
  if (gpus && gpus.length > 0) return sizeSequencesOnGpus({ gpus, modelBytes, kvBytesPerToken: kv, contextSize });
  const gpu = llama.gpu !== false;
  const freeBytes = gpu ? (await llama.getVramState()).free : os.freemem();
  return sizeSequences({ gpu, freeBytes, modelBytes, kvBytesPerToken: kv, contextSize });
}
