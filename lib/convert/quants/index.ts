export type { Quant, QuantKernel, QuantKernelF16 } from "./types";
export { QUANTS, LLAMA_QUANTS, OUTPUT_TYPES, chooseTensorType, fileTypeOf, type OutputType } from "./registry";
export { chooseTensorTypes, f16GgufType, FILE_TYPES, isKQuant, kernelsFor, llamaFileType, type FileType, type MixModel, type TypedTensor } from "./tensor-types";
export { quantizeChunk, type QuantizeJob } from "./quantize-chunk";
export { kQuantsWasmError } from "./k-quants-wasm";
export { K_QUANT_FILE_TYPES, K_QUANT_FILE_TYPE_INFO, kQuantTypeFor, kQuantTypes, type KQuantFileType, type KQuantTensor } from "./k-quant-mix";
