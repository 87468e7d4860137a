import { randomBytes } from "node:crypto";
import { open, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { GgmlType, GgufWriter } from "../gguf";
import { ChunkPool } from "./chunk-pool";
import { crc32Combine } from "./crc32-combine";
import { detectCheckpointFormat } from "./detect-checkpoint-format";
import { ConvertError } from "./errors";
import { llamaMetadata, loadLlamaCheckpoint, planChunks, type LlamaCheckpoint, type PlannedTensor } from "./llama";
import { chooseTensorType, type OutputType } from "./quants";
import { Q8_0_SIMD_MAX_INPUT } from "./quants/q8_0-simd";
import type { SourceDtype } from "./readers";
import type { ChunkTask } from "./run-chunk";

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
  /** Worker threads; each reads, converts and writes whole chunks. @default os.availableParallelism(), at most 8 */
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
  /**
   * CRC-32 (zlib's, as `zlib.crc32`) of every byte written, header included: a cheap check that the file on disk
   * is what was written. It is not a content address; hash the file (one pass, e.g. lib/verify's `verifyBlob` with
   * `crc32`) for its sha256.
   */
  crc32: number;
  tensorCount: number;
  /** The output type in GGML spelling, e.g. "Q8_0". */
  fileType: string;
  architecture: "llama";
  parameterCount: number;
};

/**
 * Bytes of source rows per chunk. Measured on the 2-core bench machine (TinyLlama f16, page cache warm): 1 MiB
 * chunks cost about a third of the kernel time of 4-8 MiB ones (0.7 s vs 1.8-3.3 s of sys CPU for f16), 0.25-0.5 MiB
 * no better; the buffers stay cache-resident between read, checksum and write.
 */
const CHUNK_BYTES = 1024 * 1024;

const RAW_COPY: Partial<Record<SourceDtype, GgmlType>> = { F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16 };

function defaultName(dir: string): string {
  return path
    .basename(path.resolve(dir))
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/**
 * Converts a Llama checkpoint directory to one GGUF file, streaming chunk by chunk with bounded memory: worker
 * threads each take whole chunks (read, reorder, convert, write at the chunk's offset), so all cores convert and
 * reading overlaps writing. The output appears atomically: it is written to `<outFile>.tmp-<random>`, fsynced and
 * renamed; on any error the temporary file is removed and nothing is left behind.
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
  const tmp = `${outFile}.tmp-${randomBytes(6).toString("hex")}`;
  const extra = `${tmp}.generated`;
  const fh = await open(tmp, "wx");
  let pool: ChunkPool | null = null;
  try {
    // Chunks finish out of order: keep each one's CRC and length, fold them in file order at the end.
    const crcs: number[] = [];
    const lengths: number[] = [];
    let bytesDone = 0;
    let bytesTotal = 0;
    // Started first, so the threads boot while this one reads the checkpoint's header and tokenizer.
    pool = new ChunkPool({
      threads: params.threads ?? Math.min(os.availableParallelism(), 8),
      outFile: tmp,
      onDone: (task, crc) => {
        crcs[task.index] = crc;
        lengths[task.index] = task.outBytes + task.pad;
        bytesDone += task.outBytes;
        onProgress?.({ bytesDone, bytesTotal, tensor: task.tensor });
      },
    });
    const ckpt = await loadLlamaCheckpoint({ dir: inputDir, checkpoint });
    checkAbort();
    const tensors = [...(await writeGenerated(ckpt.generated, extra)), ...ckpt.tensors];
    let headerCrc = 0;
    const writer = new GgufWriter(fh, { onWritten: (chunk) => void (headerCrc = crc32(chunk, headerCrc)) });
    const types = tensors.map((t) => chooseTensorType({ outType: type, shape: t.shape }));
    const parameterCount = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    const kvs = llamaMetadata({
      hparams: ckpt.hparams,
      tokenizerKv: ckpt.tokenizerKv,
      samplingKv: ckpt.samplingKv,
      llama3: ckpt.llama3,
      type,
      name: params.name ?? defaultName(inputDir),
      parameterCount,
    });
    for (const kv of kvs) writer.addKv(kv.key, kv);
    tensors.forEach((t, i) => {
      bytesTotal += writer.addTensorInfo(t.name, [...t.shape].reverse(), types[i]!);
    });
    await writer.writeHeader();
    await writer.writeKvData();
    await writer.writeTensorInfo();
    const placements = writer.tensorPlacements();

    let index = 0;
    for (const [i, tensor] of tensors.entries()) {
      const ggmlType = types[i]!;
      const { offset, pad } = placements[i]!;
      const simdOk = ggmlType === GgmlType.Q8_0 && tensor.dtype === "F16";
      for (const chunk of planChunks({ tensor, ggmlType, kernel: kernelFor(tensor.dtype, ggmlType), offset, pad, chunkBytes: CHUNK_BYTES })) {
        checkAbort();
        const inBytes = chunk.reads.reduce((a, r) => a + r.length, 0);
        // A chunk over the SIMD heap (a head of q/k wider than 8 MiB) takes the JS kernel.
        const kernel = simdOk && inBytes > Q8_0_SIMD_MAX_INPUT ? "quantize" : chunk.kernel;
        await pool.submit({ ...chunk, kernel, index: index++ } satisfies ChunkTask);
      }
    }
    await pool.drain();
    checkAbort();
    writer.tensorDataWritten();
    const durable = params.durable ?? true;
    await writer.finish({ sync: durable });
    await fh.close();
    await rename(tmp, outFile);
    if (durable) await syncDir(path.dirname(outFile));
    const fileCrc = crcs.reduce((acc, c, k) => crc32Combine(acc, c, lengths[k]!), headerCrc);
    return {
      outFile,
      bytes: writer.plannedSize,
      crc32: fileCrc,
      tensorCount: tensors.length,
      fileType: type.toUpperCase(),
      architecture: "llama",
      parameterCount,
    };
  } catch (e) {
    await pool?.close();
    pool = null;
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await pool?.close();
    await rm(extra, { force: true });
  }
}

/**
 * Generated tensors go through the same chunk pipeline as checkpoint ones: their bytes are written to a scratch file
 * beside the output, which the plan reads like any checkpoint region.
 */
async function writeGenerated(generated: LlamaCheckpoint["generated"], file: string): Promise<PlannedTensor[]> {
  if (generated.length === 0) return [];
  const out: PlannedTensor[] = [];
  let offset = 0;
  for (const g of generated) {
    const bytes = g.data.byteLength;
    const part = { name: g.name, dtype: "F32" as const, shape: [g.data.length], file, offset, bytes };
    out.push({ name: g.name, shape: [g.data.length], dtype: "F32", parts: [part], splitAxis: null, unpermuteHeads: null });
    offset += bytes;
  }
  await writeFile(file, Buffer.concat(generated.map((g) => Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength))));
  return out;
}

function kernelFor(dtype: SourceDtype, ggmlType: GgmlType): ChunkTask["kernel"] {
  if (RAW_COPY[dtype] === ggmlType) return "copy";
  return ggmlType === GgmlType.Q8_0 && dtype === "F16" ? "q8_0-simd" : "quantize";
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
