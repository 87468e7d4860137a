import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { modelDir } from "../models/paths";
import { InferenceError } from "./errors";

/** The GGUF file of a model: `directory` itself when it is a .gguf file, else the one .gguf file in it (the largest if several). */
export async function modelFile(params: { directory: string; name: string }): Promise<string> {
  const directory = modelDir(params.directory);
  if (directory.endsWith(".gguf")) return directory;
  const names = await readdir(directory).catch(() => [] as string[]);
  const ggufs = await Promise.all(
    names.filter((n) => n.endsWith(".gguf")).map(async (n) => ({ p: path.join(directory, n), size: (await stat(path.join(directory, n))).size })),
  );
  const best = ggufs.sort((a, b) => b.size - a.size)[0];
  if (!best) throw new InferenceError("no_gguf", `model ${params.name} has no .gguf file in ${directory}`);
  return best.p;
}
