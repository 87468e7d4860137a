import type { GgmlType } from "../../gguf";

/**
 * Encodes float32 values (a whole number of blocks) into `dst`. Must be self-contained, referring to nothing but
 * its parameters and globals: worker threads get its source text (chunk-pool.ts).
 */
export type QuantKernel = (src: Float32Array, dst: Uint8Array, toHalf: (value: number) => number) => void;

/** The same for F16 input, widened through `table` on the fly: the hot path (f16 checkpoints), fused for speed. */
export type QuantKernelF16 = (src: Uint16Array, dst: Uint8Array, table: Float32Array, toHalf: (value: number) => number) => void;

/** One GGML output type. */
export type Quant = { ggmlType: GgmlType; kernel: QuantKernel; kernelF16?: QuantKernelF16 };
