import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { convertModel } from "../../lib/convert";

const root = path.resolve(import.meta.dirname, "../..");
export const TINY_LLAMA3 = path.join(root, "test/fixtures/tiny-llama3");
export const TINY_LLAMA3_REF_JSON = path.join(TINY_LLAMA3, "ref.json");

export type Llama3Variant = "llama3.1" | "llama3.2";
export type Llama3Form = "hf" | "meta";

/** The folder names a user would have: the HF repo's, and Meta's CLI folder (which names the model, Instruct). */
const FOLDER: Record<Llama3Form, Record<Llama3Variant, string>> = {
  hf: { "llama3.1": "Llama-3.1-Tiny-Instruct-hf", "llama3.2": "Llama-3.2-Tiny-Instruct-hf" },
  meta: { "llama3.1": "Llama-3.1-Tiny-Instruct", "llama3.2": "Llama-3.2-Tiny-Instruct" },
};

async function fixtureKey(): Promise<string> {
  const h = createHash("sha256");
  for (const f of (await readdir(TINY_LLAMA3, { recursive: true })).sort()) {
    if (/^(hf|meta)-|^tokenizer/.test(f)) {
      const p = path.join(TINY_LLAMA3, f);
      if ((await stat(p)).isFile()) h.update(f).update(await readFile(p));
    }
  }
  return h.digest("hex").slice(0, 16);
}

async function place(src: string, dest: string): Promise<void> {
  if (src.endsWith(".gz")) await pipeline(createReadStream(src), createGunzip(), createWriteStream(dest));
  else await copyFile(src, dest);
}

const laidOut = new Map<string, Promise<string>>();

/**
 * A tiny Llama 3.x checkpoint folder as a user has it (see test/fixtures/README.md): the fixture keeps the weights and
 * the tokenizer gzip-compressed (their unused embedding rows are zeros) so the tree stays small; this writes the real
 * files once per fixture version under the temp dir (written aside and renamed, so parallel test files agree).
 */
export function tinyLlama3Dir(form: Llama3Form, variant: Llama3Variant): Promise<string> {
  const id = `${form}-${variant}`;
  let p = laidOut.get(id);
  if (!p) {
    p = (async () => {
      const dir = path.join(os.tmpdir(), `depot-tiny-llama3-${await fixtureKey()}`, FOLDER[form][variant]);
      if (await stat(`${dir}.complete`).then(() => true, () => false)) return dir;
      const tmp = `${dir}.${process.pid}.partial`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const src = path.join(TINY_LLAMA3, id);
      for (const f of await readdir(src)) await place(path.join(src, f), path.join(tmp, f.replace(/\.gz$/, "")));
      if (form === "hf") await place(path.join(TINY_LLAMA3, "tokenizer/tokenizer.json.gz"), path.join(tmp, "tokenizer.json"));
      else await place(path.join(TINY_LLAMA3, "tokenizer.model.gz"), path.join(tmp, "tokenizer.model"));
      await rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
        // Another test process laid it out first.
        if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
        await rm(tmp, { recursive: true, force: true });
      });
      await writeFile(`${dir}.complete`, "");
      return dir;
    })();
    laidOut.set(id, p);
  }
  return p;
}

let gguf: Promise<string> | undefined;

/** The tiny Llama 3.1-shaped model (HF form) converted to f16 by our converter, once per run. */
export function tinyLlama3Gguf(): Promise<string> {
  gguf ??= (async () => {
    const dir = await tinyLlama3Dir("hf", "llama3.1");
    const out = path.join(path.dirname(dir), `tiny-llama3.1-f16.${process.pid}.gguf`);
    await convertModel({ inputDir: dir, outFile: out, type: "f16", name: "Tiny Llama 3.1", durable: false });
    return out;
  })();
  return gguf;
}

export type Llama3Ref = {
  variants: Record<
    Llama3Variant,
    {
      prompts: { prompt: string; input_ids: number[]; generated_ids: number[]; generated_text: string }[];
      chat: { messages: { role: "system" | "user" | "assistant"; content: string }[]; input_ids: number[]; generated_ids: number[] };
    }
  >;
};

export async function llama3Ref(): Promise<Llama3Ref> {
  return JSON.parse(await readFile(TINY_LLAMA3_REF_JSON, "utf8")) as Llama3Ref;
}
