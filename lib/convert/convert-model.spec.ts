import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DepotError } from "../errors";
import { isRetryable } from "../http/errors";
import { readGguf } from "../gguf";
import { convertModel } from "./convert-model";
import { ConvertError, type ConvertErrorCode } from "./errors";
import { loadTensors, pickle, writeSafetensors, writeTorchZip, type TensorData } from "../../test/helpers/checkpoint-writers";
import { FIXTURE, normaliseValue, referenceMetadata, referenceTensors, renderedMetadata, tensorHashes } from "../../test/helpers/gguf-fixtures";

let tmp: string;
let outDir: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-convert-"));
  outDir = path.join(tmp, "out");
  await mkdir(outDir);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const HF_SIDE_FILES = ["config.json", "generation_config.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"];

/** A model directory with the fixture's config and tokenizer files, for weights the test writes itself. */
async function modelDir(name: string, files = HF_SIDE_FILES, from = "hf"): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir);
  for (const f of files) await copyFile(path.join(FIXTURE, from, f), path.join(dir, f));
  return dir;
}

async function convert(inputDir: string, type: "f16" | "q8_0" | "f32" | "bf16" | "q4_0", name = "out") {
  const outFile = path.join(outDir, `${name}-${type}.gguf`);
  const result = await convertModel({ inputDir, outFile, type, name: "Tiny Llama" });
  return { outFile, result };
}

describe("convertModel", () => {
  describe.each(["hf", "bin", "meta"] as const)("from %s/", (src) => {
    it.each(["f16", "q8_0"] as const)("writes %s tensors bit-identical to llama.cpp's, with its metadata keys", async (type) => {
      const { outFile } = await convert(path.join(FIXTURE, src), type);
      expect(await tensorHashes(outFile)).toEqual(await referenceTensors(type));

      const ref = await referenceMetadata(type);
      const ours = await renderedMetadata(outFile);
      expect([...ours.keys()]).toEqual([...ref.keys()]);
      for (const [key, want] of ref) {
        const got = ours.get(key)!;
        expect(got.type, key).toBe(want.type);
        // meta/ has no config.json or tokenizer_config.json: Llama 2's context (4096) as llama.cpp's legacy converter,
        // and the SentencePiece model's own types/scores for <unk>, <s>, </s>.
        const metaOnly = ["llama.context_length", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"];
        if (src === "meta" && metaOnly.includes(key)) continue;
        expect(normaliseValue(got.value), key).toBe(normaliseValue(want.value));
      }
      if (src === "meta") expect(ours.get("llama.context_length")!.value).toBe("4096");
    });
  });

  it.each(["f16", "q8_0"] as const)("from hf/ writes a %s file byte-identical to llama.cpp's", async (type) => {
    const { outFile, result } = await convert(path.join(FIXTURE, "hf"), type);
    const dump = await readFile(path.join(FIXTURE, `llamacpp-reference/tiny-llama-${type}.txt`), "utf8");
    const bytes = await readFile(outFile);
    expect(sha(bytes)).toBe(/^sha256: ([0-9a-f]{64})$/m.exec(dump)![1]);
    expect(result.sha256).toBe(sha(bytes));
    expect(result.bytes).toBe(Number(/^size_bytes: (\d+)$/m.exec(dump)![1]));
  });

  it("gives identical tensors from the Meta and HF layouts", async () => {
    for (const type of ["f16", "q8_0"] as const) {
      const hf = await convert(path.join(FIXTURE, "hf"), type, "hf");
      const meta = await convert(path.join(FIXTURE, "meta"), type, "meta");
      expect(await tensorHashes(meta.outFile)).toEqual(await tensorHashes(hf.outFile));
    }
  });

  it("reports progress up to the total and returns the file's size and sha256", async () => {
    const seen: { bytesDone: number; bytesTotal: number; tensor: string }[] = [];
    const outFile = path.join(outDir, "m.gguf");
    const r = await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile, type: "f16", onProgress: (p) => seen.push(p) });
    const bytes = await readFile(outFile);
    expect(r).toMatchObject({ outFile, bytes: bytes.length, tensorCount: 21, fileType: "F16", architecture: "llama", parameterCount: 4_196_672 });
    expect(r.sha256).toBe(sha(bytes));
    expect(seen.at(-1)!.bytesDone).toBe(seen.at(-1)!.bytesTotal);
    expect(seen.map((p) => p.bytesDone)).toEqual([...seen.map((p) => p.bytesDone)].sort((a, b) => a - b));
    expect(await readdir(outDir)).toEqual(["m.gguf"]);
    const g = await readGguf({ file: outFile });
    expect(g.metadata["general.name"]?.value).toBe("Hf"); // default name: the input directory's
  });

  it("reads safetensors shards listed in model.safetensors.index.json", async () => {
    const tensors = await loadTensors(path.join(FIXTURE, "hf/model.safetensors"));
    const dir = await modelDir("sharded");
    const shards = [tensors.slice(0, 8), tensors.slice(8)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(dir, name), shard);
      for (const t of shard) weightMap[t.name] = name;
    }
    await writeFile(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const { outFile } = await convert(dir, "f16");
    expect(await tensorHashes(outFile)).toEqual(await referenceTensors("f16"));
  });

  it("merges a 2-way model-parallel Meta checkpoint along each tensor's split axis", async () => {
    const tensors = await loadTensors(path.join(FIXTURE, "meta/consolidated.00.pth"));
    const dir = await modelDir("meta2", ["params.json", "tokenizer.model"], "meta");
    const shards: TensorData[][] = [[], []];
    for (const t of tensors) {
      const axis = /(wq|wk|wv|w1|w3)\.weight$|^output\.weight$/.test(t.name) ? 0 : /(wo|w2)\.weight$|^tok_embeddings/.test(t.name) ? 1 : null;
      for (const k of [0, 1]) shards[k]!.push(axis === null ? t : sliceHalf(t, axis, k));
    }
    for (const k of [0, 1]) await writeTorchZip({ file: path.join(dir, `consolidated.0${k}.pth`), tensors: shards[k]! });
    for (const type of ["f16", "q8_0"] as const) {
      const { outFile } = await convert(dir, type);
      expect(await tensorHashes(outFile)).toEqual(await referenceTensors(type));
    }
  });

  it("reads zip64 checkpoints (torch.save uses zip64 past 4 GiB, e.g. every 70B shard)", async () => {
    const dir = await modelDir("zip64");
    const tensors = await loadTensors(path.join(FIXTURE, "bin/pytorch_model.bin"));
    await writeTorchZip({ file: path.join(dir, "pytorch_model.bin"), tensors, zip64: true });
    const { outFile } = await convert(dir, "f16");
    expect(await tensorHashes(outFile)).toEqual(await referenceTensors("f16"));
  });

  it("un-permutes k with the key/value head count for grouped-query attention", async () => {
    // GQA variant of the fixture: keep the first 2 of 4 key/value heads in every layer.
    const hf = await loadTensors(path.join(FIXTURE, "hf/model.safetensors"));
    const meta = await loadTensors(path.join(FIXTURE, "meta/consolidated.00.pth"));
    const firstRows = (t: TensorData, rows: number): TensorData => ({ ...t, shape: [rows, t.shape[1]!], data: t.data.subarray(0, rows * t.shape[1]! * 2) });
    const gqa = (t: TensorData) => (/(k_proj|v_proj|wk|wv)\.weight$/.test(t.name) ? firstRows(t, 32) : t);

    const hfDir = await modelDir("hf-gqa", HF_SIDE_FILES.filter((f) => f !== "config.json"));
    const config = JSON.parse(await readFile(path.join(FIXTURE, "hf/config.json"), "utf8"));
    await writeFile(path.join(hfDir, "config.json"), JSON.stringify({ ...config, num_key_value_heads: 2 }));
    await writeSafetensors(path.join(hfDir, "model.safetensors"), hf.map(gqa));
    const metaDir = await modelDir("meta-gqa", ["tokenizer.model"], "meta");
    const params = JSON.parse(await readFile(path.join(FIXTURE, "meta/params.json"), "utf8"));
    await writeFile(path.join(metaDir, "params.json"), JSON.stringify({ ...params, n_kv_heads: 2 }));
    await writeTorchZip({ file: path.join(metaDir, "consolidated.00.pth"), tensors: meta.map(gqa) });

    const fromHf = await convert(hfDir, "f16", "hf");
    const fromMeta = await convert(metaDir, "f16", "meta");
    const hashes = await tensorHashes(fromHf.outFile);
    expect(await tensorHashes(fromMeta.outFile)).toEqual(hashes);
    // Meta's wk rows are per-head, so the first 2 heads of the fixture's wk are exactly the GQA attn_k.
    const wk = meta.find((t) => t.name === "layers.1.attention.wk.weight")!;
    expect(hashes["blk.1.attn_k.weight"]).toEqual({ type: "F16", shape: [64, 32], sha256: sha(wk.data.subarray(0, 32 * 64 * 2)) });
    const g = await readGguf({ file: fromHf.outFile });
    expect(g.metadata["llama.attention.head_count_kv"]?.value).toBe(2);
  });

  it("keeps 1-D tensors F32 and falls back to F16 where the row is not whole blocks", async () => {
    const expected = { f32: "F32", bf16: "BF16", q4_0: "Q4_0" } as const;
    for (const type of ["f32", "bf16", "q4_0"] as const) {
      const { outFile, result } = await convert(path.join(FIXTURE, "hf"), type);
      const hashes = await tensorHashes(outFile);
      expect(result.fileType).toBe(type.toUpperCase());
      expect(hashes["blk.0.attn_norm.weight"]?.type).toBe("F32");
      expect(hashes["blk.0.attn_q.weight"]?.type).toBe(expected[type]);
      expect(hashes["blk.0.ffn_down.weight"]?.type).toBe(type === "q4_0" ? "F16" : expected[type]);
    }
    // f16 → f32 and f16 → bf16 → … are exact for norms, so the F32 norms equal llama.cpp's.
    const { outFile } = await convert(path.join(FIXTURE, "hf"), "f32", "again");
    const ref = await referenceTensors("f16");
    expect((await tensorHashes(outFile))["output_norm.weight"]).toEqual(ref["output_norm.weight"]);
  });

  describe("bad input: a clear error, nothing written", () => {
    async function expectFailure(inputDir: string, code: ConvertErrorCode, message: RegExp) {
      const err = await convertModel({ inputDir, outFile: path.join(outDir, "x.gguf"), type: "f16" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConvertError);
      expect(err).toBeInstanceOf(DepotError);
      expect(isRetryable(err)).toBe(false);
      expect((err as ConvertError).code).toBe(code);
      expect((err as Error).message).toMatch(message);
      expect(await readdir(outDir)).toEqual([]);
    }
    const fixtureSafetensors = () => readFile(path.join(FIXTURE, "hf/model.safetensors"));

    it("truncated safetensors", async () => {
      const dir = await modelDir("m");
      const bytes = await fixtureSafetensors();
      await writeFile(path.join(dir, "model.safetensors"), bytes.subarray(0, bytes.length - 1000));
      await expectFailure(dir, "invalid_safetensors", /model\.safetensors: .*beyond the \d+ data bytes/);
    });

    it("safetensors header length beyond the file", async () => {
      const dir = await modelDir("m");
      const bytes = Buffer.from(await fixtureSafetensors());
      bytes.writeBigUInt64LE(BigInt(bytes.length), 0);
      await writeFile(path.join(dir, "model.safetensors"), bytes);
      await expectFailure(dir, "invalid_safetensors", /header length \d+ runs past the end/);
    });

    async function withHeader(edit: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void) {
      const dir = await modelDir("m");
      const bytes = await fixtureSafetensors();
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
      edit(header);
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      await writeFile(path.join(dir, "model.safetensors"), Buffer.concat([len, json, bytes.subarray(8 + n)]));
      return dir;
    }

    it("overlapping safetensors offsets", async () => {
      const dir = await withHeader((h) => {
        const t = h["model.norm.weight"]!;
        t.data_offsets = [t.data_offsets[0]! - 64, t.data_offsets[1]! - 64];
      });
      await expectFailure(dir, "invalid_safetensors", /overlap/);
    });

    it("out-of-range safetensors offsets", async () => {
      const dir = await withHeader((h) => {
        h["model.norm.weight"]!.data_offsets = [9_000_000, 9_000_128];
      });
      await expectFailure(dir, "invalid_safetensors", /model\.norm\.weight: data_offsets end 9000128 is beyond/);
    });

    it("unknown and unsupported safetensors dtypes", async () => {
      const unknown = await withHeader((h) => {
        h["model.norm.weight"]!.dtype = "F17";
      });
      await expectFailure(unknown, "invalid_safetensors", /model\.norm\.weight: unknown dtype "F17"/);
      await rm(unknown, { recursive: true });
      const i64 = await withHeader((h) => {
        h["model.norm.weight"] = { dtype: "I64", shape: [16], data_offsets: h["model.norm.weight"]!.data_offsets };
      });
      await expectFailure(i64, "unsupported_dtype", /dtype I64 is not supported/);
    });

    async function binWithPickle(pkl: Buffer) {
      const dir = await modelDir("m");
      const tensors = await loadTensors(path.join(FIXTURE, "bin/pytorch_model.bin"));
      await writeTorchZip({ file: path.join(dir, "pytorch_model.bin"), tensors, pkl });
      return dir;
    }

    it("a pickle calling os.system", async () => {
      const marker = path.join(tmp, "pwned");
      const dir = await binWithPickle(
        Buffer.concat([pickle.proto(), pickle.global("os", "system"), pickle.str(`touch ${marker}`), pickle.op(0x85, 0x52, 0x2e)]),
      );
      await expectFailure(dir, "unsafe_pickle", /pytorch_model\.bin: global os\.system is not allowed/);
      await expect(readFile(marker)).rejects.toThrow();
    });

    it("a pickle reaching builtins.eval through STACK_GLOBAL", async () => {
      const short = (s: string) => Buffer.concat([Buffer.from([0x8c, s.length]), Buffer.from(s)]);
      const dir = await binWithPickle(
        Buffer.concat([Buffer.from([0x80, 4]), short("builtins"), short("eval"), pickle.op(0x93), short("1+1"), pickle.op(0x85, 0x52, 0x2e)]),
      );
      await expectFailure(dir, "unsafe_pickle", /global builtins\.eval is not allowed/);
    });

    it("a pickle calling an allowed global that is not a tensor rebuild (REDUCE target)", async () => {
      const dir = await binWithPickle(Buffer.concat([pickle.proto(), pickle.global("torch", "HalfStorage"), pickle.op(0x29, 0x52, 0x2e)]));
      await expectFailure(dir, "unsafe_pickle", /call to torch\.HalfStorage is not allowed/);
    });

    it("a pickle with an opcode a state dict never uses", async () => {
      const dir = await binWithPickle(Buffer.concat([pickle.proto(), Buffer.from("S'x'\n"), pickle.op(0x2e)])); // STRING
      await expectFailure(dir, "unsafe_pickle", /opcode 0x53/);
    });

    it("a zip entry missing", async () => {
      const dir = await modelDir("m");
      const tensors = await loadTensors(path.join(FIXTURE, "bin/pytorch_model.bin"));
      await writeTorchZip({ file: path.join(dir, "pytorch_model.bin"), tensors, omitStorage: "3" });
      await expectFailure(dir, "invalid_zip", /storage entry archive\/data\/3 is missing/);
    });

    it("a truncated zip", async () => {
      const dir = await modelDir("m");
      const bytes = await readFile(path.join(FIXTURE, "bin/pytorch_model.bin"));
      await writeFile(path.join(dir, "pytorch_model.bin"), bytes.subarray(0, 4_000_000));
      await expectFailure(dir, "invalid_zip", /pytorch_model\.bin: no end-of-central-directory record/);
    });

    it("a tokenizer that does not parse", async () => {
      const dir = await modelDir("m", HF_SIDE_FILES.filter((f) => f !== "tokenizer.model"));
      await copyFile(path.join(FIXTURE, "hf/model.safetensors"), path.join(dir, "model.safetensors"));
      await writeFile(path.join(dir, "tokenizer.model"), Buffer.from("this is not a protobuf at all\n"));
      await expectFailure(dir, "invalid_tokenizer", /tokenizer\.model: not a SentencePiece model/);
    });

    it("an unsupported architecture in config.json", async () => {
      const dir = await modelDir("m", HF_SIDE_FILES.filter((f) => f !== "config.json"));
      await copyFile(path.join(FIXTURE, "hf/model.safetensors"), path.join(dir, "model.safetensors"));
      const config = JSON.parse(await readFile(path.join(FIXTURE, "hf/config.json"), "utf8"));
      await writeFile(path.join(dir, "config.json"), JSON.stringify({ ...config, architectures: ["GPT2LMHeadModel"], model_type: "gpt2" }));
      await expectFailure(dir, "unsupported_architecture", /config\.json: architecture GPT2LMHeadModel is not supported/);
    });

    it("a directory without a checkpoint", async () => {
      await expectFailure(await modelDir("m"), "unsupported_format", /no model\.safetensors, pytorch_model\*\.bin or consolidated\.\*\.pth/);
    });

    it("an abort midway", async () => {
      const controller = new AbortController();
      const err = await convertModel({
        inputDir: path.join(FIXTURE, "hf"),
        outFile: path.join(outDir, "x.gguf"),
        type: "q8_0",
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }).catch((e: unknown) => e);
      expect((err as ConvertError).code).toBe("aborted");
      expect(await readdir(outDir)).toEqual([]);
    });
  });
});

function sha(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Half `k` of a 2-D f16 tensor along `axis`, as Meta's model-parallel shards store it. */
function sliceHalf(t: TensorData, axis: 0 | 1, k: number): TensorData {
  const [rows, cols] = t.shape as [number, number];
  if (axis === 0) {
    const half = rows / 2;
    return { ...t, shape: [half, cols], data: t.data.subarray(k * half * cols * 2, (k + 1) * half * cols * 2) };
  }
  const half = cols / 2;
  const out = Buffer.alloc(rows * half * 2);
  for (let r = 0; r < rows; r++) t.data.copy(out, r * half * 2, (r * cols + k * half) * 2, (r * cols + (k + 1) * half) * 2);
  return { ...t, shape: [rows, half], data: out };
}
