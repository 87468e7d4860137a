export { mapTensorName, type MappedName } from "./map-tensor-name";
export { readHfHparams, readMetaHparams, type LlamaHparams } from "./read-llama-hparams";
export { planLlamaTensors, validateLlamaTensors, type PlannedTensor } from "./plan-llama-tensors";
export { planChunks } from "./plan-chunks";
export { loadLlamaCheckpoint, type LlamaCheckpoint } from "./load-llama-checkpoint";
export { llamaMetadata } from "./llama-metadata";
