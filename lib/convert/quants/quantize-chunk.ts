import { GGML_QUANT_SIZES, ggmlTypeBytes, type GgmlType } from "../../gguf";
import { DTYPE_BYTES, type SourceDtype } from "../readers";
import { decodeSource } from "./decode-source";
import { F16_TO_F32, f32ToF16Bits } from "./float-bits";
import { LLAMA_QUANTS, QUANTS } from "./registry";
import type { QuantKernel, QuantKernelF16 } from "./types";

/** `kernels`: whose bytes to reproduce, the converter's (gguf-py, the default) or llama-quantize's. */
export type QuantizeJob = { bytes: Uint8Array; dtype: SourceDtype; ggmlType: GgmlType; kernels?: "convert" | "llama-quantize" };

export type QuantRuntime = {
  kernel: QuantKernel;
  kernelF16?: QuantKernelF16;
  blockSize: number;
  typeSize: number;
  decode: typeof decodeSource;
  table: Float32Array;
  toHalf: (value: number) => number;
};

/**
 * Source bytes → output-type bytes in `dst`, widening a cache-sized slice (8192 values, a multiple of every block
 * size) at a time. Self-contained: worker threads get its source text (chunk-pool.ts).
 */
export function quantizeWith(job: QuantizeJob, dst: Uint8Array, rt: QuantRuntime): void {
  const el = job.dtype === "F32" ? 4 : 2;
  const bytes = job.bytes.byteOffset % el === 0 ? job.bytes : job.bytes.slice();
  const n = bytes.byteLength / el;
  const f16 = rt.kernelF16 ?? rt.kernel.f16;
  if (job.dtype === "F16" && f16) {
    f16(new Uint16Array(bytes.buffer, bytes.byteOffset, n), dst, rt.table, rt.toHalf);
    return;
  }
  const scratch = new Float32Array(8192);
  for (let start = 0; start < n; start += 8192) {
    const count = Math.min(8192, n - start);
    const src = scratch.subarray(0, count);
    rt.decode(bytes, job.dtype, start, count, src, rt.table);
    const at = (start / rt.blockSize) * rt.typeSize;
    rt.kernel(src, dst.subarray(at, at + (count / rt.blockSize) * rt.typeSize), rt.toHalf, rt.table);
  }
}

/** Quantizes one chunk on this thread into a new buffer. */
export function quantizeChunk(job: QuantizeJob): Uint8Array {
  const quant = (job.kernels === "llama-quantize" ? LLAMA_QUANTS : QUANTS).get(job.ggmlType);
  if (!quant) throw new Error(`no ${job.kernels ?? "convert"} quantizer for GGML type ${job.ggmlType}`);
  const [blockSize, typeSize] = GGML_QUANT_SIZES[job.ggmlType];
  const dst = new Uint8Array(ggmlTypeBytes(job.ggmlType, job.bytes.byteLength / DTYPE_BYTES[job.dtype]));
  quantizeWith(job, dst, { kernel: quant.kernel, kernelF16: quant.kernelF16, blockSize, typeSize, decode: decodeSource, table: F16_TO_F32, toHalf: f32ToF16Bits });
  return dst;
}
