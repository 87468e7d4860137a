import type { GgmlType } from "../gguf";
import type { QuantRuntime } from "./quants/quantize-chunk";
import type { Q8_0SimdExports } from "./quants/q8_0-simd";
import type { SourceDtype } from "./readers";

/**
 * One piece of the output file, done start to finish by one worker thread: read the source rows, put them in GGUF
 * row order, convert and write at the chunk's own offset. Chunks never overlap, so threads need no ordering between
 * them.
 */
export type ChunkTask = {
  /** Position among the file's chunks: its reply names it. */
  index: number;
  /** The GGUF tensor this chunk belongs to (progress and error messages). */
  tensor: string;
  /** Source ranges, read one after another into the chunk's input. */
  reads: { file: string; offset: number; length: number }[];
  /**
   * How the input rows become GGUF rows. `unpermute`: HF q/k rows back to Meta's rotary order, head by head (units of
   * `unitRows` rows). `join`: Meta row-parallel shards, each read as a block of `rows` rows, concatenated row-wise.
   */
  reorder: null | { kind: "unpermute"; unitRows: number; rowBytes: number } | { kind: "join"; rows: number; partRowBytes: number[] };
  dtype: SourceDtype;
  /**
   * `copy`: source bytes as they are; `q8_0-simd`: F16 → Q8_0 in WebAssembly; `quantize`: the converter's JS kernel of `ggmlType`
   * (gguf-py's bytes); `llama-quantize`: llama-quantize's (K-quants and their fallbacks).
   */
  kernel: "copy" | "q8_0-simd" | "quantize" | "llama-quantize";
  ggmlType: GgmlType;
  outOffset: number;
  outBytes: number;
  /** Zero bytes written after the data: the tensor's alignment padding, on its last chunk. */
  pad: number;
};

/** What a worker keeps between chunks: its open files, buffers reused for every chunk, and the kernels. */
export type ChunkContext = {
  fs: typeof import("node:fs");
  outFd: number;
  fds: Map<string, number>;
  buffers: Map<string, Uint8Array>;
  simd: Q8_0SimdExports;
  quantizeQ8_0SimdHeap: (bytes: number, simd: Q8_0SimdExports, toHalf: (value: number) => number) => number;
  quantizeWith: (job: { bytes: Uint8Array; dtype: SourceDtype; ggmlType: GgmlType }, dst: Uint8Array, rt: QuantRuntime) => void;
  runtimes: Record<number, QuantRuntime>;
  llamaRuntimes: Record<number, QuantRuntime>;
};

/**
 * Does one chunk with blocking reads and writes (it runs on a worker thread of its own). Self-contained: worker threads get its source text.
 */
export function runChunk(task: ChunkTask, ctx: ChunkContext): void {
  const buffer = (name: string, length: number): Uint8Array => {
    let b = ctx.buffers.get(name);
    if (!b || b.length < length) {
      b = new Uint8Array(Math.max(length, 1 << 20));
      ctx.buffers.set(name, b);
    }
    return b.subarray(0, length);
  };
  const inBytes = task.reads.reduce((a, r) => a + r.length, 0);
  const heap = task.kernel === "q8_0-simd" ? new Uint8Array(ctx.simd.mem.buffer, 0, inBytes) : null;
  // The source rows in GGUF order: read straight into the SIMD heap or the input buffer unless rows move.
  const input = heap ?? buffer("input", inBytes);
  const staged = task.reorder ? buffer("stage", inBytes) : input;
  let at = 0;
  for (const r of task.reads) {
    let fd = ctx.fds.get(r.file);
    if (fd === undefined) {
      fd = ctx.fs.openSync(r.file, "r");
      ctx.fds.set(r.file, fd);
    }
    for (let done = 0; done < r.length; ) {
      const n = ctx.fs.readSync(fd, staged, at + done, r.length - done, r.offset + done);
      if (n === 0) {
        throw Object.assign(new Error(`unexpected end of file at byte ${r.offset + done} (truncated?)`), { code: "invalid_tensors", file: r.file });
      }
      done += n;
    }
    at += r.length;
  }
  const re = task.reorder;
  if (re?.kind === "unpermute") {
    // HF row (h, j, i) holds Meta row (h, i, j): the two halves of each head interleave back into pairs.
    const rows = inBytes / re.rowBytes;
    const half = re.unitRows / 2;
    for (let base = 0; base < rows; base += re.unitRows) {
      for (let i = 0; i < half; i++) {
        for (let j = 0; j < 2; j++) {
          const from = (base + j * half + i) * re.rowBytes;
          input.set(staged.subarray(from, from + re.rowBytes), (base + 2 * i + j) * re.rowBytes);
        }
      }
    }
  } else if (re?.kind === "join") {
    const rowBytes = re.partRowBytes.reduce((a, b) => a + b, 0);
    let from = 0;
    let col = 0;
    for (const partRowBytes of re.partRowBytes) {
      for (let row = 0; row < re.rows; row++, from += partRowBytes) {
        input.set(staged.subarray(from, from + partRowBytes), row * rowBytes + col);
      }
      col += partRowBytes;
    }
  }
  let output: Uint8Array;
  if (task.kernel === "copy") output = input;
  else if (task.kernel === "q8_0-simd") {
    const rt = ctx.runtimes[task.ggmlType]!;
    output = new Uint8Array(ctx.simd.mem.buffer, ctx.quantizeQ8_0SimdHeap(inBytes, ctx.simd, rt.toHalf), task.outBytes);
  } else {
    output = buffer("output", task.outBytes);
    const runtimes = task.kernel === "llama-quantize" ? ctx.llamaRuntimes : ctx.runtimes;
    ctx.quantizeWith({ bytes: input, dtype: task.dtype, ggmlType: task.ggmlType }, output, runtimes[task.ggmlType]!);
  }
  if (output.length !== task.outBytes) throw new Error(`chunk of ${task.tensor}: ${output.length} bytes, expected ${task.outBytes}`);
  const write = (bytes: Uint8Array, position: number) => {
    for (let done = 0; done < bytes.length; ) done += ctx.fs.writeSync(ctx.outFd, bytes, done, bytes.length - done, position + done);
  };
  write(output, task.outOffset);
  if (task.pad > 0) write(new Uint8Array(task.pad), task.outOffset + task.outBytes);
}
