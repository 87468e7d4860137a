import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, LlamaFileType, readGguf } from "../gguf";
import { convertModel } from "./convert-model";
import { ConvertError, type ConvertErrorCode } from "./errors";
import { quantizeGguf } from "./quantize-gguf";
import { K_QUANT_FILE_TYPES } from "./quants";
import { FIXTURE, referenceTensors, tensorHashes } from "../../test/helpers/gguf-fixtures";
import { K_QUANT_REFERENCE, writeRandomLlama } from "../../test/helpers/k-quant-fixtures";

type Reference = Record<string, { "general.file_type": number; tensors: Record<string, { type: string; sha256: string }> }>;
const reference = async (model: string): Promise<Reference> => JSON.parse(await readFile(path.join(K_QUANT_REFERENCE, `${model}.json`), "utf8"));
/** Type and sha256 of each tensor, as the reference files list them. */
const typesAndHashes = async (file: string) => Object.fromEntries(Object.entries(await tensorHashes(file)).map(([k, v]) => [k, { type: v.type, sha256: v.sha256 }]));

let tmp: string;
let f16: string;
let f32: string;
let q8FromCheckpoint: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-quantize-"));
  f16 = path.join(tmp, "src-f16.gguf");
  f32 = path.join(tmp, "src-f32.gguf");
  q8FromCheckpoint = path.join(tmp, "ckpt-q8_0.gguf");
  const inputDir = path.join(FIXTURE, "hf");
  await convertModel({ inputDir, outFile: f16, type: "f16", name: "Tiny Llama" });
  await convertModel({ inputDir, outFile: f32, type: "f32", name: "Tiny Llama" });
  await convertModel({ inputDir, outFile: q8FromCheckpoint, type: "q8_0", name: "Tiny Llama" });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh empty folder for one test's output, so "nothing left behind" can be checked. */
async function outDir(): Promise<string> {
  return mkdtemp(path.join(tmp, "out-"));
}

/** Byte position of the u64 data offset in `name`'s tensor info (after name, n_dims, dims and type). */
function tensorOffsetField(bytes: Buffer, name: string): number {
  const key = Buffer.concat([Buffer.alloc(8), Buffer.from(name)]);
  key.writeBigUInt64LE(BigInt(name.length));
  const at = bytes.indexOf(key, 0);
  expect(at).toBeGreaterThan(0);
  const dimsAt = at + key.length;
  const nDims = bytes.readUInt32LE(dimsAt);
  return dimsAt + 4 + nDims * 8 + 4;
}

describe("quantizeGguf", () => {
  it("q8_0 from an F16 GGUF has convertModel's q8_0 tensors of the same checkpoint (and llama.cpp's)", async () => {
    const dir = await outDir();
    const outFile = path.join(dir, "q8.gguf");
    const seen: number[] = [];
    const r = await quantizeGguf({ inFile: f16, outFile, type: "Q8_0", onProgress: (p) => seen.push(p.bytesDone / p.bytesTotal) });
    const ours = await tensorHashes(outFile);
    expect(ours).toEqual(await tensorHashes(q8FromCheckpoint));
    expect(ours).toEqual(await referenceTensors("q8_0"));
    const bytes = await readFile(outFile);
    expect(r).toMatchObject({ outFile, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), tensorCount: 21, parameterCount: 4_196_672, fileType: "Q8_0", architecture: "llama" });
    expect(seen.at(-1)).toBe(1);
    expect(await readdir(dir)).toEqual(["q8.gguf"]);
  });

  it("keeps the metadata in order, moving quantization_version and the new file_type to the end as llama-quantize does", async () => {
    const outFile = path.join(await outDir(), "q4.gguf");
    await quantizeGguf({ inFile: f16, outFile, type: "q4_0" });
    const src = await readGguf({ file: f16 });
    const out = await readGguf({ file: outFile });
    const moved = ["general.quantization_version", "general.file_type"];
    expect(Object.keys(out.metadata)).toEqual([...Object.keys(src.metadata).filter((k) => !moved.includes(k)), ...moved]);
    for (const [k, v] of Object.entries(src.metadata)) if (!moved.includes(k)) expect(out.metadata[k], k).toEqual(v);
    expect(out.metadata["general.file_type"]?.value).toBe(LlamaFileType.MOSTLY_Q4_0);
    expect(out.metadata["general.quantization_version"]?.value).toBe(2);
    // Same tensors in the same order; norms stay F32, ffn_down (176 columns, not whole Q4_0 blocks) falls back to F16.
    expect(out.tensors.map((t) => t.name)).toEqual(src.tensors.map((t) => t.name));
    const types = Object.fromEntries(out.tensors.map((t) => [t.name, GgmlType[t.type]]));
    expect(types).toMatchObject({ "blk.0.attn_norm.weight": "F32", "blk.0.attn_q.weight": "Q4_0", "blk.0.ffn_down.weight": "F16" });
  });

  it.each(K_QUANT_FILE_TYPES)("%s of the tiny fixture: every tensor as llama-quantize writes it, its file_type", async (fileType) => {
    const ref = (await reference("tiny-llama"))[fileType]!;
    const outFile = path.join(await outDir(), "k.gguf");
    const r = await quantizeGguf({ inFile: f16, outFile, type: fileType });
    expect(await typesAndHashes(outFile)).toEqual(ref.tensors);
    expect((await readGguf({ file: outFile })).metadata["general.file_type"]?.value).toBe(ref["general.file_type"]);
    expect(r.fileType).toBe(fileType);
  });

  it("Q4_K_M of a random GQA Llama (rows of 256 and 704, tied embeddings): llama-quantize's tensors, from its GGUF and from its checkpoint", async () => {
    const ref = (await reference("random-llama")).Q4_K_M!;
    const dir = await outDir();
    await writeRandomLlama(path.join(dir, "random"));
    await convertModel({ inputDir: path.join(dir, "random"), outFile: path.join(dir, "f16.gguf"), type: "f16", threads: 2 });
    await quantizeGguf({ inFile: path.join(dir, "f16.gguf"), outFile: path.join(dir, "q4km.gguf"), type: "q4_k_m", threads: 2 });
    expect(await typesAndHashes(path.join(dir, "q4km.gguf"))).toEqual(ref.tensors);
    await convertModel({ inputDir: path.join(dir, "random"), outFile: path.join(dir, "ckpt-q4km.gguf"), type: "q4_k_m", threads: 2 });
    expect(await typesAndHashes(path.join(dir, "ckpt-q4km.gguf"))).toEqual(ref.tensors);
  });

  it("from an F32 GGUF gives the same q8_0 tensors, and to f16 the F16 file's tensors", async () => {
    const dir = await outDir();
    await quantizeGguf({ inFile: f32, outFile: path.join(dir, "q8.gguf"), type: "q8_0" });
    expect(await tensorHashes(path.join(dir, "q8.gguf"))).toEqual(await tensorHashes(q8FromCheckpoint));
    await quantizeGguf({ inFile: f32, outFile: path.join(dir, "f16.gguf"), type: "f16" });
    expect(await tensorHashes(path.join(dir, "f16.gguf"))).toEqual(await tensorHashes(f16));
  });

  describe("bad input: a clear error naming the file, nothing written", () => {
    async function expectFailure(inFile: string, type: string, code: ConvertErrorCode, message: RegExp) {
      const dir = await outDir();
      const err = await quantizeGguf({ inFile, outFile: path.join(dir, "out.gguf"), type }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConvertError);
      expect((err as ConvertError).code).toBe(code);
      expect((err as Error).message).toMatch(message);
      expect(await readdir(dir)).toEqual([]);
    }

    it("a truncated GGUF", async () => {
      const cut = path.join(tmp, "cut.gguf");
      await copyFile(f16, cut);
      await truncate(cut, (await readFile(f16)).length - 1000);
      await expectFailure(cut, "q8_0", "invalid_gguf", /cut\.gguf: tensor \S+ extends past the end of the file \(truncated\?\)/);
    });

    it("a GGUF whose tensor data overlaps", async () => {
      const bytes = await readFile(f16);
      const g = await readGguf({ file: f16 });
      bytes.writeBigUInt64LE(BigInt(g.tensors[0]!.offset), tensorOffsetField(bytes, g.tensors[1]!.name));
      const file = path.join(tmp, "overlap.gguf");
      await writeFile(file, bytes);
      await expectFailure(file, "q8_0", "invalid_gguf", /overlap\.gguf: tensors \S+ and \S+ overlap/);
    });

    it("a GGUF whose tensor data lies outside the file", async () => {
      const bytes = await readFile(f16);
      bytes.writeBigUInt64LE(1n << 40n, tensorOffsetField(bytes, "output_norm.weight"));
      const file = path.join(tmp, "outside.gguf");
      await writeFile(file, bytes);
      await expectFailure(file, "q8_0", "invalid_gguf", /outside\.gguf: tensor output_norm\.weight extends past the end of the file/);
    });

    it("an already-quantized source", async () => {
      await expectFailure(q8FromCheckpoint, "q4_0", "unsupported_dtype", /ckpt-q8_0\.gguf: tensor \S+ is Q8_0: only an F32, F16 or BF16 GGUF can be quantized/);
    });

    it("an unknown type", async () => {
      await expectFailure(f16, "q9_K", "unsupported_type", /cannot quantize to "q9_K": expected one of F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K/);
    });

    it("not a GGUF", async () => {
      await expectFailure(path.join(FIXTURE, "hf/config.json"), "q8_0", "invalid_gguf", /config\.json: not a GGUF file/);
    });

    it("an abort midway", async () => {
      const dir = await outDir();
      const controller = new AbortController();
      const err = await quantizeGguf({ inFile: f16, outFile: path.join(dir, "out.gguf"), type: "q8_0", signal: controller.signal, onProgress: () => controller.abort() }).catch((e: unknown) => e);
      expect((err as ConvertError).code).toBe("aborted");
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
