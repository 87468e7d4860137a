export type { Quant, QuantKernel, QuantKernelF16 } from "./types";
export { QUANTS, LLAMA_QUANTS, OUTPUT_TYPES, chooseTensorType, fileTypeOf, type OutputType } from "./registry";
export { quantizeChunk, type QuantizeJob } from "./quantize-chunk";
