// The inference module. Web code imports the files it needs directly (sampling, submit-interactive, …) so the
// native node-llama-cpp binding stays out of the web server's module graph; the worker, CLI and benchmarks
// may use this barrel.
export { depotLlama, gpuInfo, type GpuInfo } from "./llama";
export { ModelResidency, type Lease, type ResidencyOptions } from "./residency";
export { inferenceEngine, parseModelSequences } from "./engine";
export { runGeneration } from "./run-generation";
export { generateOnce } from "../models/generate-once";
export { generateTokens, type GenerationResult } from "./generate-tokens";
export { buildPrompt } from "./build-prompt";
export { createStopMatcher } from "./stop-matcher";
export { executeRequest } from "../interactive/execute-request";
export { submitInteractive, INTERACTIVE_PRIORITY, type InteractiveRequest } from "../interactive/submit-interactive";
export { collectResult } from "../interactive/collect-result";
export { findModel, RUNNABLE_STATUSES, type RunnableModel } from "../models/find-model";
export { listRunnableModels, type RunnableModelDto } from "../models/list-runnable-models";
export { modelFile } from "../models/model-file";
export { InferenceError, QueueFullError, INFERENCE_ERROR_CODES, type InferenceErrorCode } from "./errors";
export * from "../generation/sampling";
export type { StreamEvent, InteractiveResult } from "../interactive/stream-events";
