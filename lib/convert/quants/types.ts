import type { GgmlType } from "../../gguf";

/** One GGML output type: encodes float32 values, a whole number of blocks, into its block layout. */
export type Quant = {
  ggmlType: GgmlType;
  quantize(src: Float32Array, dst: Uint8Array): void;
};
