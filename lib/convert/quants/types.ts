import type { GgmlType } from "../../gguf";

/**
 * Encodes float32 values (a whole number of blocks) into `dst`; `table` maps half bits to float32 (for kernels that
 * re-quantize against their stored fp16 scales). Must be self-contained, referring to nothing but its parameters and
 * globals: worker threads get its source text (chunk-pool.ts).
 */
export type QuantKernel = ((src: Float32Array, dst: Uint8Array, toHalf: (value: number) => number, table: Float32Array) => void) & {
  /** Its own F16 entry, where a factory's kernel widens halves itself (the K-quants' WebAssembly module). */
  f16?: QuantKernelF16;
};

/** The same for F16 input, widened through `table` on the fly: the hot path (f16 checkpoints), fused for speed. */
export type QuantKernelF16 = (src: Uint16Array, dst: Uint8Array, table: Float32Array, toHalf: (value: number) => number) => void;

/**
 * One GGML output type. With `factory` (which made `kernel`), worker threads get the factory's source text and build
 * their own kernel with `factory(ggmlType)`: a self-contained function whose closure holds scratch buffers.
 */
export type Quant = { ggmlType: GgmlType; kernel: QuantKernel; kernelF16?: QuantKernelF16; factory?: (ggmlType: GgmlType) => QuantKernel };
