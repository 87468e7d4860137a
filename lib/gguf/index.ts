export * from "./constants";
export type * from "./types";
export { GgufWriter, WriterState } from "./writer";
export { readGguf, type GgufFile, type GgufReadValue } from "./reader";
export { sizeLabel } from "./size-label";
export { GgufError, type GgufErrorCode } from "./errors";
export { isSupportedArchitecture, LLAMA_CPP_ARCHITECTURES } from "./architectures";
export { describeGguf, type GgufFacts } from "./describe";
export { inspectGguf, type GgufInspection } from "./inspect-gguf";
