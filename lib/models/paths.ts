import path from "node:path";
import { config } from "../config/env";

// Where each kind of model lives under DATA_DIR. Meta downloads keep Meta's own layout (so `md5sum -c` still works
// there), Hugging Face downloads use the hub cache layout (so Python's huggingface_hub reuses them).

/** Root of one Meta download (a model set): `<DATA_DIR>/meta/<set>`. */
export function metaDir(setKey: string): string {
  return path.join(config().dataDir, "meta", setKey);
}

/** HF_HOME-style root; files go to `<hfHome>/hub/models--org--name/…`. */
export function hfHome(): string {
  return path.join(config().dataDir, "hf");
}

/** One folder per converted model: `<DATA_DIR>/gguf/<name>/<name>.gguf`. */
export function ggufDir(name: string): string {
  return path.join(config().dataDir, "gguf", name);
}

/** Every model directory must be below DATA_DIR: deletion refuses anything else. */
export function isInsideDataDir(p: string): boolean {
  const root = config().dataDir;
  const full = path.resolve(p);
  return full.startsWith(root + path.sep);
}
