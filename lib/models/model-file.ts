import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { safeJoin } from "../download";
import { modelDir } from "../stores/paths";
import { splitPart } from "../sources/hf/gguf-files";
import { InferenceError } from "../inference/errors";

/**
 * The GGUF file of a model to load: its recorded file (the first part of a split set: llama.cpp finds the others
 * beside it by name); else `directory` itself when it is a .gguf file, else the one .gguf file in it (the largest
 * if several).
 */
export async function modelFile(params: { directory: string; name: string; files?: string[] }): Promise<string> {
  const directory = modelDir(params.directory);
  if (params.files?.length) {
    const first = params.files.find((f) => splitPart(f)?.index === 1) ?? (params.files.length === 1 ? params.files[0] : undefined);
    if (first) return safeJoin(directory, first);
  }
  if (directory.endsWith(".gguf")) return directory;
  const names = await readdir(directory).catch(() => [] as string[]);
  const ggufs = await Promise.all(
    names.filter((n) => n.endsWith(".gguf")).map(async (n) => ({ p: path.join(directory, n), size: (await stat(path.join(directory, n))).size })),
  );
  const best = ggufs.sort((a, b) => b.size - a.size)[0];
  if (!best) throw new InferenceError("no_gguf", `model ${params.name} has no .gguf file in ${directory}`);
  return best.p;
}
