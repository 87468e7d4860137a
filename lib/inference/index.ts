// The inference module. Web code imports the files it needs directly (sampling, submit-interactive, …) so the
// native node-llama-cpp binding stays out of the web server's module graph; the worker, CLI and benchmarks
// may use this barrel.
export { depotLlama, gpuInfo, type GpuInfo } from "./llama";
export { ModelResidency, type Lease, type ResidencyOptions } from "./residency";
export { inferenceEngine, parseModelSequences } from "./engine";
export { runGeneration } from "./run-generation";
export { generateOnce } from "./generate-once";
export { generateTokens, type GenerationResult } from "./generate-tokens";
export { buildPrompt } from "./build-prompt";
export { createStopMatcher } from "./stop-matcher";
export { executeRequest } from "./execute-request";
export { submitInteractive, INTERACTIVE_PRIORITY, type InteractiveRequest } from "./submit-interactive";
export { collectResult } from "./collect-result";
export { findModel, RUNNABLE_STATUSES, type RunnableModel } from "./find-model";
export { listRunnableModels, type RunnableModelDto } from "./list-runnable-models";
export { modelFile } from "./model-file";
export { InferenceError, QueueFullError, INFERENCE_ERROR_CODES, type InferenceErrorCode } from "./errors";
export * from "./sampling";
export type { StreamEvent, InteractiveResult } from "./stream-events";
