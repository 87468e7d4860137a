export type { Quant, QuantKernel } from "./types";
export { QUANTS, OUTPUT_TYPES, chooseTensorType, fileTypeOf, type OutputType } from "./registry";
export { decodeSource } from "./decode-source";
export { quantizeChunk, type QuantizeJob } from "./quantize-chunk";
export { QuantPool } from "./quant-pool";
export { f32ToF16Bits, F16_TO_F32 } from "./float-bits";
