import type { GgmlType } from "../../gguf";

/**
 * Encodes float32 values (a whole number of blocks) into `dst`. Must be self-contained, referring to nothing but
 * its parameters and globals: QuantPool ships its source text to worker threads.
 */
export type QuantKernel = (src: Float32Array, dst: Uint8Array, toHalf: (value: number) => number) => void;

/** One GGML output type. */
export type Quant = { ggmlType: GgmlType; kernel: QuantKernel };
