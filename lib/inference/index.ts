// The inference engine: load, residency, decode, sample, stream. Web code imports the files it needs directly so
// the native node-llama-cpp binding stays out of the web server's module graph; the worker, CLI and benchmarks
// may use this barrel. What runs over it (interactive requests, the OpenAI adapter, the playground, batch runs)
// lives in its own folder; the generation contract they share is lib/generation.
export { depotLlama, gpuInfo, type GpuInfo } from "./llama";
export { ModelResidency, type Lease, type ResidencyOptions } from "./residency";
export { inferenceEngine, parseModelSequences } from "./engine";
export { runGeneration } from "./run-generation";
export { generateTokens, type GenerationResult } from "./generate-tokens";
export { buildPrompt } from "./build-prompt";
export { createStopMatcher } from "./stop-matcher";
export { InferenceError, INFERENCE_ERROR_CODES, type InferenceErrorCode } from "./errors";
