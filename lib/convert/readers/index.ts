export * from "./types";
export * from "./safetensors";
export * from "./pytorch-zip";
