import { GGML_QUANT_SIZES, type GgmlType } from "../../gguf";
import type { SourceDtype } from "../readers";
import { decodeSource } from "./decode-source";
import { F16_TO_F32, f32ToF16Bits } from "./float-bits";
import { QUANTS } from "./registry";
import type { QuantKernel } from "./types";

export type QuantizeJob = { bytes: Uint8Array; dtype: SourceDtype; ggmlType: GgmlType; outBytes: number };

export type QuantRuntime = {
  kernel: QuantKernel;
  blockSize: number;
  typeSize: number;
  decode: typeof decodeSource;
  table: Float32Array;
  toHalf: (value: number) => number;
};

/**
 * Source bytes → output-type bytes, widening a cache-sized slice (8192 values, a multiple of every block size) at a
 * time. Self-contained: QuantPool ships its source text to worker threads.
 */
export function quantizeWith(job: QuantizeJob, rt: QuantRuntime): Uint8Array {
  const el = job.dtype === "F32" ? 4 : 2;
  const bytes = job.bytes.byteOffset % el === 0 ? job.bytes : job.bytes.slice();
  const n = bytes.byteLength / el;
  const dst = new Uint8Array(job.outBytes);
  const scratch = new Float32Array(8192);
  for (let start = 0; start < n; start += 8192) {
    const count = Math.min(8192, n - start);
    const src = scratch.subarray(0, count);
    rt.decode(bytes, job.dtype, start, count, src, rt.table);
    const at = (start / rt.blockSize) * rt.typeSize;
    rt.kernel(src, dst.subarray(at, at + (count / rt.blockSize) * rt.typeSize), rt.toHalf);
  }
  return dst;
}

/** Quantizes one chunk on this thread. */
export function quantizeChunk(job: QuantizeJob): Uint8Array {
  const quant = QUANTS.get(job.ggmlType);
  if (!quant) throw new Error(`no quantizer for GGML type ${job.ggmlType}`);
  const [blockSize, typeSize] = GGML_QUANT_SIZES[job.ggmlType];
  return quantizeWith(job, { kernel: quant.kernel, blockSize, typeSize, decode: decodeSource, table: F16_TO_F32, toHalf: f32ToF16Bits });
}
