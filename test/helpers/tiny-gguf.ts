import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { convertModel } from "../../lib/convert";

const root = path.resolve(import.meta.dirname, "../..");
export const TINY_HF_DIR = path.join(root, "test/fixtures/tiny-llama/hf");
export const TINY_REF_JSON = path.join(root, "test/fixtures/tiny-llama/ref.json");

let cached: Promise<string> | undefined;

/** Hash of the fixture and of the converter's sources: a cached GGUF is reused only while both are unchanged. */
async function cacheKey(): Promise<string> {
  const h = createHash("sha256");
  const convertDir = path.join(root, "lib/convert");
  const sources = (await readdir(convertDir, { recursive: true })).filter((f) => f.endsWith(".ts") && !f.includes(".spec.")).sort();
  for (const f of sources) h.update(f).update(await readFile(path.join(convertDir, f)));
  for (const f of (await readdir(TINY_HF_DIR)).sort()) h.update(f).update(await readFile(path.join(TINY_HF_DIR, f)));
  return h.digest("hex").slice(0, 16);
}

/**
 * The fixture model converted to an f16 GGUF by our converter, once per test run: the file is cached under
 * the temp dir by the hash of the fixture and the converter, so parallel test files (and later runs, while
 * neither changed) reuse it. Written to a temp name and renamed, so a reader never sees half a file.
 */
export function tinyGguf(): Promise<string> {
  cached ??= (async () => {
    const dir = path.join(os.tmpdir(), `depot-tiny-gguf-${await cacheKey()}`);
    const file = path.join(dir, "tiny-llama-f16.gguf");
    if (await stat(file).then((s) => s.size > 0, () => false)) return file;
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.partial`;
    try {
      await convertModel({ inputDir: TINY_HF_DIR, outFile: tmp, type: "f16", name: "Tiny Llama" });
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    return file;
  })();
  return cached;
}

export type TinyRef = {
  prompts: { prompt: string; input_ids: number[]; generated_ids: number[]; generated_text: string }[];
  llama2_chat_format: { messages: { role: "system" | "user" | "assistant"; content: string }[]; input_ids: number[] };
};

export async function tinyRef(): Promise<TinyRef> {
  return JSON.parse(await readFile(TINY_REF_JSON, "utf8")) as TinyRef;
}

/**
 * Puts the fixture GGUF (or `file`, another GGUF, of `family`) into the inventory of the current test database as a
 * ready GGUF model held by the model store at `dataDir` (its folder gguf/<name> holds a link to the file), like a
 * finished conversion would. More `dataDirs`: the model is also in those workers' stores.
 */
export async function registerTinyModel(params: { dataDir: string; name?: string; alsoIn?: string[]; file?: string; family?: string }): Promise<{ id: string; name: string }> {
  const { db } = await import("../../lib/db/prisma");
  const { storeIdOf } = await import("../../lib/stores/store-id");
  const name = params.name ?? "tiny-llama-f16";
  const file = params.file ?? (await tinyGguf());
  const family = params.file ? (params.family ?? null) : "llama-2";
  const m = await db().model.create({ data: { name, source: "local", format: "gguf", status: "ready", directory: path.join("gguf", name), family } });
  for (const dataDir of [params.dataDir, ...(params.alsoIn ?? [])]) {
    const dir = path.join(dataDir, "gguf", name);
    await mkdir(dir, { recursive: true });
    await symlink(file, path.join(dir, `${name}.gguf`));
    await db().modelReplica.create({ data: { modelId: m.id, storeId: await storeIdOf(dataDir), bytes: (await stat(file)).size } });
  }
  return { id: m.id, name };
}
