import { readFile } from "node:fs/promises";
import { ConvertError } from "../errors";

/** A JSON file's contents, or null when the file does not exist; unparsable JSON is an error naming the file. */
export async function readJson<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ConvertError("invalid_config", `not valid JSON (${(e as Error).message})`, file);
  }
}

/** llama.cpp's `does_token_look_special`, for added tokens not flagged special. */
export function looksSpecial(t: string): boolean {
  return (
    ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(t) ||
    (t.startsWith("<|") && t.endsWith("|>")) ||
    (t.startsWith("<｜") && t.endsWith("｜>")) ||
    (t.startsWith("<unused") && t.endsWith(">"))
  );
}
