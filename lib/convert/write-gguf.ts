import { randomBytes } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GgmlType, GgufWriter, type GgufKv } from "../gguf";
import { ChunkPool } from "./chunk-pool";
import { copyRange, nativeCopyFileRange, readWriteRange } from "./copy-file-range";
import { ConvertError } from "./errors";
import { logger } from "../log/logger";
import { planChunks, type PlannedTensor } from "./llama";
import { OutputDigest } from "./output-digest";
import { Q8_0_SIMD_MAX_INPUT } from "./quants/q8_0-simd";
import type { SourceDtype } from "./readers";
import type { ChunkTask } from "./run-chunk";

export type ConvertProgress = { bytesDone: number; bytesTotal: number; tensor: string };

/**
 * What to write: metadata in file order, each tensor's source with the GGML type it becomes, and whose quantizers
 * make the bytes (`kernelsFor`).
 */
export type GgufPlan = { kvs: GgufKv[]; tensors: PlannedTensor[]; types: GgmlType[]; kernels: "convert" | "llama-quantize" };

export type WriteGgufParams = {
  outFile: string;
  /**
   * Reads the input and says what to write. Called once the worker threads are starting, so they boot while it
   * reads headers and tokenizers.
   */
  plan: () => Promise<GgufPlan>;
  /** Called after each chunk of tensor data is written; bytes count GGUF tensor data. */
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** `general.alignment` when the metadata sets one. @default 32 */
  alignment?: number;
  /** Worker threads; each reads, converts and writes whole chunks. @default os.availableParallelism(), at most 8 */
  threads?: number;
  /**
   * fsync the file before the rename and its directory after, so a crash never leaves a partial file under the
   * final name. `false` skips both: much faster on slow disks, for scratch output and benchmarks.
   * @default true
   */
  durable?: boolean;
};

export type WriteGgufResult = {
  outFile: string;
  bytes: number;
  /** sha256 of the file, read back as it was written (output-digest.ts): no second pass is needed. */
  sha256: string;
  tensorCount: number;
  parameterCount: number;
  /** Tensor data bits per weight (llama.cpp's "BPW"): 8 × tensor bytes / parameters. */
  bitsPerWeight: number;
};

/**
 * Bytes of source rows per chunk. Measured on the 2-core bench machine (TinyLlama f16, page cache warm): 1 MiB
 * chunks cost about a third of the kernel time of 4-8 MiB ones (0.7 s vs 1.8-3.3 s of sys CPU for f16), 0.25-0.5 MiB
 * no better; the buffers stay cache-resident between read, checksum and write.
 */
const CHUNK_BYTES = 1024 * 1024;
const log = logger("convert");

/** Kernel copies in flight at once (each takes a thread of libuv's pool of 4). */
const COPIES_IN_FLIGHT = 2;

const RAW_COPY: Partial<Record<SourceDtype, GgmlType>> = { F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16 };

export function abortCheck(signal: AbortSignal | undefined): () => void {
  return () => {
    if (signal?.aborted) throw new ConvertError("aborted", "conversion aborted");
  };
}

/**
 * Writes one GGUF file from planned tensors, streaming chunk by chunk with bounded memory: worker threads each take
 * whole chunks (read, reorder, convert, write at the chunk's offset), so all cores convert and reading overlaps
 * writing. Tensors whose bytes do not change (same float type, rows in place) skip the threads: the kernel copies
 * them from the source file (copy_file_range, see copy-file-range.ts). The file is hashed as it is written
 * (output-digest.ts). The output appears atomically: it is written to `<outFile>.tmp-<random>`, fsynced and renamed; on any
 * error the temporary file is removed and nothing is left behind. Shared by checkpoint conversion and GGUF
 * quantization.
 */
export async function writeGgufFile(params: WriteGgufParams): Promise<WriteGgufResult> {
  const { outFile, onProgress } = params;
  const checkAbort = abortCheck(params.signal);
  const tmp = `${outFile}.tmp-${randomBytes(6).toString("hex")}`;
  const fh = await open(tmp, "wx+"); // read too: the digest reads it back
  let pool: ChunkPool | null = null;
  const sources = new Map<string, Promise<FileHandle>>();
  const copies = new Set<Promise<void>>();
  let copyFailure: unknown = null;
  let digest: OutputDigest | null = null;
  try {
    // Chunks finish out of order: each marks its own region of the digest written.
    const written = new Map<number, () => void>();
    let bytesDone = 0;
    let bytesTotal = 0;
    pool = new ChunkPool({
      threads: params.threads ?? Math.min(os.availableParallelism(), 8),
      outFile: tmp,
      onDone: (task) => {
        written.get(task.index)!();
        written.delete(task.index);
        bytesDone += task.outBytes;
        onProgress?.({ bytesDone, bytesTotal, tensor: task.tensor });
      },
    });
    const { kvs, tensors, types, kernels } = await params.plan();
    checkAbort();
    const writer = new GgufWriter(fh, { alignment: params.alignment });
    for (const kv of kvs) writer.addKv(kv.key, kv);
    tensors.forEach((t, i) => {
      bytesTotal += writer.addTensorInfo(t.name, [...t.shape].reverse(), types[i]!);
    });
    digest = new OutputDigest(fh, tmp, writer.plannedSize);
    await writer.writeHeader();
    await writer.writeKvData();
    await writer.writeTensorInfo();
    const placements = writer.tensorPlacements();
    digest.expect(0, placements[0]?.offset ?? writer.plannedSize)();

    let index = 0;
    let copy = nativeCopyFileRange();
    const source = (file: string) => {
      if (!sources.has(file)) sources.set(file, open(file, "r"));
      return sources.get(file)!;
    };
    /**
     * The kernel copies one tensor's parts end to end at `offset`, then its padding is written. Where the kernel
     * refuses, the part is read and written here, and the tensors after it take the worker threads.
     */
    const copyTensor = async (tensor: PlannedTensor, offset: number, pad: number) => {
      let outOffset = offset;
      for (const part of tensor.parts) {
        const r = { fh: await source(part.file), file: part.file, offset: part.offset, length: part.bytes, outOffset };
        const refusal = copy ? await copyRange(r, fh.fd, copy) : { refused: null };
        if (refusal) {
          if (copy) log.warn("copy_file_range refused between these files: reading and writing instead", { file: part.file, code: (refusal.refused as NodeJS.ErrnoException).code });
          copy = null;
          await readWriteRange(r, fh);
        }
        outOffset += part.bytes;
      }
      if (pad > 0) await fh.write(new Uint8Array(pad), 0, pad, outOffset);
      bytesDone += outOffset - offset;
      onProgress?.({ bytesDone, bytesTotal, tensor: tensor.name });
    };
    for (const [i, tensor] of tensors.entries()) {
      const ggmlType = types[i]!;
      const { offset, pad } = placements[i]!;
      const kernel = kernelFor(tensor.dtype, ggmlType, kernels);
      const copied = copy !== null && kernel === "copy" && tensor.unpermuteHeads === null && tensor.splitAxis !== 1;
      const simdOk = ggmlType === GgmlType.Q8_0 && tensor.dtype === "F16";
      if (copied) {
        checkAbort();
        while (copies.size >= COPIES_IN_FLIGHT) await Promise.race(copies);
        if (copyFailure) throw copyFailure;
        const done = digest.expect(offset, placements[i]!.bytes + pad);
        // Failures are kept, not left unhandled while the loop awaits something else.
        const p: Promise<void> = copyTensor(tensor, offset, pad)
          .then(done)
          .catch((e: unknown) => void (copyFailure ??= e))
          .finally(() => copies.delete(p));
        copies.add(p);
        continue;
      }
      for (const chunk of planChunks({ tensor, ggmlType, kernel, offset, pad, chunkBytes: CHUNK_BYTES })) {
        checkAbort();
        const inBytes = chunk.reads.reduce((a, r) => a + r.length, 0);
        written.set(index, digest.expect(chunk.outOffset, chunk.outBytes + chunk.pad));
        // A chunk over the SIMD heap (a head of q/k wider than 8 MiB) takes the JS kernel.
        await pool.submit({ ...chunk, kernel: simdOk && inBytes > Q8_0_SIMD_MAX_INPUT ? "quantize" : chunk.kernel, index: index++ });
      }
    }
    await Promise.all(copies);
    if (copyFailure) throw copyFailure;
    await pool.drain();
    checkAbort();
    const sha256 = await digest.result();
    writer.tensorDataWritten();
    const durable = params.durable ?? true;
    await writer.finish({ sync: durable });
    await fh.close();
    await rename(tmp, outFile);
    if (durable) await syncDir(path.dirname(outFile));
    const parameterCount = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    return {
      outFile,
      bytes: writer.plannedSize,
      sha256,
      tensorCount: tensors.length,
      parameterCount,
      bitsPerWeight: parameterCount > 0 ? (bytesTotal * 8) / parameterCount : 0,
    };
  } catch (e) {
    await pool?.close();
    pool = null;
    // A kernel copy still running holds raw descriptors: they are closed only once it is done.
    await Promise.allSettled(copies);
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await pool?.close();
    await digest?.close();
    for (const h of sources.values()) await h.then((x) => x.close()).catch(() => {});
  }
}

function kernelFor(dtype: SourceDtype, ggmlType: GgmlType, kernels: GgufPlan["kernels"]): ChunkTask["kernel"] {
  if (RAW_COPY[dtype] === ggmlType) return "copy";
  // Q8_0 is the same arithmetic in gguf-py and llama.cpp, so both take the SIMD kernel.
  if (ggmlType === GgmlType.Q8_0 && dtype === "F16") return "q8_0-simd";
  return kernels === "llama-quantize" ? "llama-quantize" : "quantize";
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
