import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GGML_QUANT_VERSION, GgmlType, GgufValueType, GgufWriter, ggmlTypeBytes, sizeLabel, type GgufKv } from "../gguf";
import { detectCheckpointFormat } from "./detect-checkpoint-format";
import { ConvertError } from "./errors";
import { largestChunk, loadLlamaCheckpoint, readPlannedRows, type LlamaCheckpoint } from "./llama";
import { chooseTensorType, fileTypeOf, QuantPool, quantizeChunk, type OutputType } from "./quants";
import { DTYPE_BYTES, FileCache, type SourceDtype } from "./readers";
import { Sha256Worker } from "./sha256-worker";
import { SlotPool } from "./slot-pool";

export type ConvertProgress = { bytesDone: number; bytesTotal: number; tensor: string };

export type ConvertModelParams = {
  /** A directory with a Llama checkpoint: safetensors, pytorch_model*.bin or Meta consolidated.*.pth. */
  inputDir: string;
  outFile: string;
  type: OutputType;
  /** Called after each chunk of tensor data is written; bytes count GGUF tensor data. */
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** `general.name`. @default the input directory's name in title case ("tiny-llama" → "Tiny Llama") */
  name?: string;
  /** Quantization threads. @default os.availableParallelism(), at most 8 */
  threads?: number;
  /**
   * fsync the file before the rename and its directory after, so a crash never leaves a partial file under the
   * final name. `false` skips both: much faster on slow disks, for scratch output and benchmarks.
   * @default true
   */
  durable?: boolean;
};

export type ConvertModelResult = {
  outFile: string;
  bytes: number;
  sha256: string;
  tensorCount: number;
  /** The output type in GGML spelling, e.g. "Q8_0". */
  fileType: string;
  architecture: "llama";
  parameterCount: number;
};

/** Bytes of source rows per chunk, and slots for chunks in flight: 12 slots of 2 chunks each is 48 MiB in all. */
const CHUNK_BYTES = 2 * 1024 * 1024;
const SLOTS = 12;
const MAX_IN_FLIGHT = 4;

const RAW_COPY: Partial<Record<SourceDtype, GgmlType>> = { F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16 };

function defaultName(dir: string): string {
  return path
    .basename(path.resolve(dir))
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

function metadata(ckpt: LlamaCheckpoint, type: OutputType, name: string, parameterCount: number): GgufKv[] {
  const h = ckpt.hparams;
  const u32 = (key: string, value: number): GgufKv => ({ key, type: GgufValueType.UINT32, value });
  const f32 = (key: string, value: number): GgufKv => ({ key, type: GgufValueType.FLOAT32, value });
  const str = (key: string, value: string): GgufKv => ({ key, type: GgufValueType.STRING, value });
  // Same keys in the same order as convert_hf_to_gguf.py, so the header matches llama.cpp's byte for byte.
  return [
    str("general.architecture", "llama"),
    str("general.type", "model"),
    str("general.name", name),
    str("general.size_label", sizeLabel({ parameterCount })),
    u32("llama.block_count", h.blockCount),
    u32("llama.context_length", h.contextLength),
    u32("llama.embedding_length", h.embeddingLength),
    u32("llama.feed_forward_length", h.feedForwardLength),
    u32("llama.attention.head_count", h.headCount),
    u32("llama.attention.head_count_kv", h.headCountKv),
    f32("llama.rope.freq_base", h.ropeFreqBase),
    f32("llama.attention.layer_norm_rms_epsilon", h.rmsEps),
    u32("general.file_type", fileTypeOf(type)),
    u32("llama.vocab_size", h.vocabSize),
    u32("llama.rope.dimension_count", h.ropeDimensionCount),
    ...(h.ropeScalingLinear === undefined
      ? []
      : [str("llama.rope.scaling.type", "linear"), f32("llama.rope.scaling.factor", h.ropeScalingLinear)]),
    ...ckpt.tokenizerKv,
    u32("general.quantization_version", GGML_QUANT_VERSION),
  ];
}

/**
 * Converts a Llama checkpoint directory to one GGUF file, streaming tensor by tensor with bounded memory.
 * The output appears atomically: it is written to `<outFile>.tmp-<random>`, fsynced and renamed; on any error the
 * temporary file is removed and nothing is left behind.
 */
export async function convertModel(params: ConvertModelParams): Promise<ConvertModelResult> {
  const { inputDir, outFile, type, onProgress, signal } = params;
  const checkAbort = () => {
    if (signal?.aborted) throw new ConvertError("aborted", "conversion aborted");
  };
  checkAbort();
  const checkpoint = await detectCheckpointFormat({ dir: inputDir }).catch((e: NodeJS.ErrnoException) => {
    throw new ConvertError("unsupported_format", `cannot read the directory (${e.code ?? e.message})`, inputDir);
  });
  if (!checkpoint) {
    throw new ConvertError("unsupported_format", "no model.safetensors, pytorch_model*.bin or consolidated.*.pth found", inputDir);
  }
  const ckpt = await loadLlamaCheckpoint({ dir: inputDir, checkpoint });
  checkAbort();

  const tmp = `${outFile}.tmp-${randomBytes(6).toString("hex")}`;
  const fh = await open(tmp, "wx");
  const files = new FileCache();
  // A slot holds a chunk or its quantized form (at most twice its size, f16 → f32).
  const slots = new SlotPool(2 * Math.max(CHUNK_BYTES, ...ckpt.tensors.map((t) => largestChunk(t, CHUNK_BYTES))), SLOTS);
  const hash = new Sha256Worker(slots);
  let pool: QuantPool | null = null;
  try {
    // The hashing thread takes each written chunk over and releases its slot once hashed.
    const writer = new GgufWriter(fh, { onWritten: (chunk) => hash.update(chunk) });
    const types = ckpt.tensors.map((t) => chooseTensorType({ outType: type, shape: t.shape }));
    const parameterCount = ckpt.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    for (const kv of metadata(ckpt, type, params.name ?? defaultName(inputDir), parameterCount)) writer.addKv(kv.key, kv);
    let bytesTotal = 0;
    ckpt.tensors.forEach((t, i) => {
      bytesTotal += writer.addTensorInfo(t.name, [...t.shape].reverse(), types[i]!);
    });
    await writer.writeHeader();
    await writer.writeKvData();
    await writer.writeTensorInfo();

    let bytesDone = 0;
    let chain = Promise.resolve();
    const inFlight: Promise<void>[] = [];
    for (const [i, tensor] of ckpt.tensors.entries()) {
      const ggmlType = types[i]!;
      const raw = RAW_COPY[tensor.dtype] === ggmlType;
      const elements = (n: number) => n / DTYPE_BYTES[tensor.dtype];
      for await (const input of readPlannedRows({ tensor, files, chunkBytes: CHUNK_BYTES, slots })) {
        checkAbort();
        let data: Promise<Uint8Array>;
        if (raw) data = Promise.resolve(input);
        else if (input.length < 64 * 1024) {
          // Tiny tensors (norms) are not worth a round trip to a worker.
          data = Promise.resolve(quantizeChunk({ bytes: input, dtype: tensor.dtype, ggmlType }));
          slots.release(input);
        } else {
          const output = await slots.acquire(ggmlTypeBytes(ggmlType, elements(input.length)));
          pool ??= new QuantPool(params.threads ?? Math.min(os.availableParallelism(), 8), slots.sab);
          data = pool.run({ input, output, dtype: tensor.dtype, ggmlType }).then(() => {
            slots.release(input);
            return output;
          });
        }
        data.catch(() => {});
        chain = chain.then(async () => {
          const out = await data;
          await writer.writeTensorData(tensor.name, out);
          bytesDone += out.length;
          onProgress?.({ bytesDone, bytesTotal, tensor: tensor.name });
        });
        chain.catch(() => {});
        inFlight.push(chain);
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      }
    }
    await chain;
    checkAbort();
    const durable = params.durable ?? true;
    await writer.finish({ sync: durable });
    const sha256 = await hash.digest();
    await fh.close();
    await rename(tmp, outFile);
    if (durable) await syncDir(path.dirname(outFile));
    return {
      outFile,
      bytes: writer.plannedSize,
      sha256,
      tensorCount: ckpt.tensors.length,
      fileType: type.toUpperCase(),
      architecture: "llama",
      parameterCount,
    };
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await files.close();
    await pool?.close();
    await hash.close();
  }
}

/** Makes the rename durable. */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
