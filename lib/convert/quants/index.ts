export type { Quant, QuantKernel, QuantKernelF16 } from "./types";
export { QUANTS, OUTPUT_TYPES, chooseTensorType, fileTypeOf, type OutputType } from "./registry";
export { chooseTensorTypes, type TypedTensor } from "./tensor-types";
export { quantizeChunk, type QuantizeJob } from "./quantize-chunk";
