import path from "node:path";
import { config } from "../config/env";

// Where each kind of model lives in a model store (a DATA_DIR). Model rows hold these paths relative to DATA_DIR,
// so every worker finds its own copy under its own DATA_DIR. Meta downloads keep Meta's own layout (so `md5sum -c`
// still works there), Hugging Face downloads use the hub cache layout (so Python's huggingface_hub reuses them).

/** Root of one Meta download (a model set): `meta/<set>`. */
export function metaDir(setKey: string): string {
  return path.join("meta", setKey);
}

/** HF_HOME-style root (absolute); files go to `<hfHome>/hub/models--org--name/…`. */
export function hfHome(): string {
  return path.join(config().dataDir, "hf");
}

/** One folder per converted model: `gguf/<name>` (the file is `<name>.gguf` inside). */
export function ggufDir(name: string): string {
  return path.join("gguf", name);
}

/** A model's directory in this process's store; rows from before model stores hold absolute paths, kept as they are. */
export function modelDir(directory: string): string {
  return path.resolve(config().dataDir, directory);
}

/** The form a Model row stores: relative to DATA_DIR when inside it. */
export function storePath(absolute: string): string {
  const rel = path.relative(config().dataDir, absolute);
  return rel.startsWith("..") || path.isAbsolute(rel) ? absolute : rel;
}

/** Every model directory must be below DATA_DIR: deletion refuses anything else. */
export function isInsideDataDir(p: string): boolean {
  const root = config().dataDir;
  const full = path.resolve(p);
  return full.startsWith(root + path.sep);
}
