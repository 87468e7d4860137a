export { convertModel, type ConvertModelParams, type ConvertModelResult, type ConvertProgress } from "./convert-model";
export { inspectGguf, type GgufInspection } from "./inspect-gguf";
export { detectCheckpointFormat, type CheckpointFormat, type DetectedCheckpoint } from "./detect-checkpoint-format";
export { ConvertError, type ConvertErrorCode } from "./errors";
export { OUTPUT_TYPES, type OutputType } from "./quants";
