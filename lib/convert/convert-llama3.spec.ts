import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgufValueType, readGguf } from "../gguf";
import { TINY_LLAMA3, tinyLlama3Dir, type Llama3Form, type Llama3Variant } from "../../test/helpers/tiny-llama3";
import { convertModel } from "./convert-model";
import { ConvertError } from "./errors";
import { pythonJsonSha256 } from "../../test/helpers/llama3-fixtures";
import { tensorHashes } from "../../test/helpers/gguf-fixtures";

type RefKv = { type: string; value?: unknown; array?: number; sha256?: string };
type Reference = { metadata: Record<string, RefKv>; tensors: Record<string, { type: string; shape: number[]; sha256: string }> };

/**
 * llama.cpp's conversion each form is held to: the HF folder's own, and for Meta's form the HF form's with the rope
 * factor Meta's reference code applies (8), which for the 3.2-shaped model is the `hf-llama3.2-rope8` reference.
 */
const referenceName = (form: Llama3Form, variant: Llama3Variant) => (form === "meta" && variant === "llama3.2" ? "hf-llama3.2-rope8" : `hf-${variant}`);

async function reference(name: string, type: string): Promise<Reference> {
  return JSON.parse(await readFile(path.join(TINY_LLAMA3, "llamacpp-reference", `${name}-${type}.json`), "utf8")) as Reference;
}

/** Our metadata in the reference's shape: scalars with their type, arrays by length and the hash of their JSON. */
async function ourMetadata(file: string): Promise<Map<string, RefKv>> {
  const g = await readGguf({ file });
  const out = new Map<string, RefKv>();
  for (const [key, v] of Object.entries(g.metadata)) {
    if (Array.isArray(v.value) || ArrayBuffer.isView(v.value)) {
      const values = Array.from(v.value as ArrayLike<unknown>);
      out.set(key, { type: `ARRAY[${GgufValueType[v.itemType!]}]`, array: values.length, sha256: pythonJsonSha256(values) });
    } else out.set(key, { type: GgufValueType[v.type]!, value: v.value });
  }
  return out;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-llama3-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.each(["hf", "meta"] as const)("a Llama 3.x checkpoint in %s form", (form) => {
  describe.each(["llama3.1", "llama3.2"] as const)("%s-shaped", (variant) => {
    it.each(["f16", "bf16", "q8_0"] as const)("converts to %s tensor-identical to llama.cpp, with its metadata", async (type) => {
      const dir = await tinyLlama3Dir(form, variant);
      const outFile = path.join(tmp, `${form}-${variant}-${type}.gguf`);
      await convertModel({ inputDir: dir, outFile, type, name: "Tiny", durable: false, threads: 2 });
      const ref = await reference(referenceName(form, variant), type);
      expect(await tensorHashes(outFile)).toEqual(ref.tensors);

      const ours = await ourMetadata(outFile);
      // Meta's form has no generation_config.json, so no sampling defaults; the name is the converter's own.
      const expected = Object.entries(ref.metadata).filter(([k]) => k !== "general.name" && !(form === "meta" && k.startsWith("general.sampling.")));
      expect([...ours.keys()].filter((k) => k !== "general.name")).toEqual(expected.map(([k]) => k));
      for (const [key, want] of expected) {
        const got = ours.get(key)!;
        if (want.type.startsWith("ARRAY")) expect({ type: got.type, array: got.array, sha256: got.sha256 }, key).toEqual({ type: want.type, array: want.array, sha256: want.sha256 });
        else expect(got, key).toEqual({ type: want.type, value: want.value });
      }
    });
  });
});

describe("bad Llama 3 input: a clear error naming the file, and no GGUF", () => {
  async function copyOf(form: Llama3Form, name: string): Promise<string> {
    const src = await tinyLlama3Dir(form, "llama3.1");
    const dir = path.join(tmp, name, path.basename(src));
    await mkdir(dir, { recursive: true });
    for (const f of await readdir(src)) await copyFile(path.join(src, f), path.join(dir, f));
    return dir;
  }

  async function expectRefused(dir: string, file: string, message: RegExp): Promise<void> {
    const outFile = path.join(dir, "..", "out.gguf");
    const err = await convertModel({ inputDir: dir, outFile, type: "f16", durable: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvertError);
    expect((err as ConvertError).message).toMatch(message);
    expect((err as ConvertError).message).toContain(path.join(dir, file));
    expect((await readdir(path.dirname(outFile))).filter((f) => f.includes("out.gguf"))).toEqual([]);
  }

  it("a Unigram tokenizer.json", async () => {
    const dir = await copyOf("hf", "unigram");
    const tok = JSON.parse(await readFile(path.join(dir, "tokenizer.json"), "utf8")) as { model: Record<string, unknown> };
    tok.model = { type: "Unigram", unk_id: 0, vocab: [["<unk>", 0]] };
    await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(tok));
    await expectRefused(dir, "tokenizer.json", /Unigram/);
  });

  it("a tiktoken tokenizer.model with a broken line", async () => {
    const dir = await copyOf("meta", "tiktoken");
    const lines = (await readFile(path.join(dir, "tokenizer.model"), "utf8")).split("\n");
    lines[1000] = "not-base64!! 1000";
    await writeFile(path.join(dir, "tokenizer.model"), lines.join("\n"));
    await expectRefused(dir, "tokenizer.model", /line 1001/);
  });

  it("a params.json with an unknown rope scaling", async () => {
    const dir = await copyOf("meta", "rope");
    const params = JSON.parse(await readFile(path.join(dir, "params.json"), "utf8")) as Record<string, unknown>;
    await writeFile(path.join(dir, "params.json"), JSON.stringify({ ...params, rope_scaling_type: "yarn" }));
    await expectRefused(dir, "params.json", /rope setting rope_scaling_type is not supported/);
  });

  it("a config.json rope_scaling of an unknown type", async () => {
    const dir = await copyOf("hf", "hf-rope");
    const cfg = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ ...cfg, rope_scaling: { rope_type: "longrope", factor: 4 } }));
    await expectRefused(dir, "config.json", /rope_scaling "longrope" is not supported/);
  });

  it.each(["hf", "meta"] as const)("a vocab size that disagrees with the embedding rows (%s)", async (form) => {
    const dir = await copyOf(form, `vocab-${form}`);
    const file = form === "hf" ? "config.json" : "params.json";
    const cfg = JSON.parse(await readFile(path.join(dir, file), "utf8")) as Record<string, unknown>;
    await writeFile(path.join(dir, file), JSON.stringify({ ...cfg, vocab_size: 128000 }));
    await expectRefused(dir, file, /vocab_size 128000 disagrees with the 128256 rows of the token embeddings/);
  });
});
