export { readSafetensors } from "./read-safetensors";
export { readSafetensorsDir } from "./read-safetensors-dir";
