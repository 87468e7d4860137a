import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgufValueType, type GgufKv } from "../../gguf";
import { ConvertError } from "../errors";
import { FIXTURE } from "../../../test/helpers/gguf-fixtures";
import { EXTRA_ADDED, llama3TiktokenText, pythonJsonSha256, tokenizerReference, writeHfLlama3Tokenizer, type TokenizerReference } from "../../../test/helpers/llama3-fixtures";
import { buildBpeVocab, CHKTXT } from "./build-bpe-vocab";
import { detectTokenizer } from "./detect-tokenizer";
import { LLAMA3_SPECIAL_TOKENS, metaLlama3Configs, type MetaLlama3Options } from "./llama3-meta";
import { specialVocabKv } from "./special-vocab";
import { parseTiktoken } from "./tiktoken";

let root: string;
let hfDir: string;
let metaDir: string;
let ref: TokenizerReference;
let hfFiles: { tokenizer: Record<string, unknown>; config: Record<string, unknown> };
let hfKv: GgufKv[];
let metaKv: GgufKv[];
const VOCAB = 128256;
// The HF form is built for two more ids than the tokenizer has, so one build also shows the [PAD{i}] fill.
const PADDED = VOCAB + 2;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "depot-bpe-"));
  hfDir = path.join(root, "hf");
  metaDir = path.join(root, "meta");
  await mkdir(hfDir);
  await mkdir(metaDir);
  hfFiles = await writeHfLlama3Tokenizer(hfDir);
  await writeFile(path.join(metaDir, "tokenizer.model"), await llama3TiktokenText());
  ref = await tokenizerReference();
  hfKv = await buildBpeVocab({ dir: hfDir, vocabSize: PADDED, form: "hf" });
  metaKv = await buildBpeVocab({ dir: metaDir, vocabSize: VOCAB, form: "meta", meta: { version: "3.1", instruct: true } });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const TYPE_NAME: Partial<Record<GgufValueType, string>> = {
  [GgufValueType.STRING]: "STRING",
  [GgufValueType.UINT32]: "UINT32",
  [GgufValueType.INT32]: "INT32",
  [GgufValueType.BOOL]: "BOOL",
};

/** Our KVs in the shape of llama.cpp's reference dump: same keys, order, GGUF types, values (arrays by hash). */
function asReference(kv: GgufKv[], vocabSize = VOCAB) {
  const perToken = ["tokenizer.ggml.tokens", "tokenizer.ggml.token_type"];
  return Object.fromEntries(
    kv.map((k) => {
      if (k.type !== GgufValueType.ARRAY) return [k.key, { type: TYPE_NAME[k.type], value: k.value }];
      const all = Array.from(k.value as ArrayLike<unknown>);
      const v = perToken.includes(k.key) ? all.slice(0, vocabSize) : all;
      return [k.key, { type: "array", item_type: TYPE_NAME[k.itemType], array: v.length, sha256: pythonJsonSha256(v), first5: v.slice(0, 5), last3: v.slice(-3) }];
    }),
  );
}

describe("buildBpeVocab (Llama 3.1 Instruct tokenizer)", () => {
  it("from tokenizer.json writes llama.cpp's tokenizer metadata: keys, order, types, tokens/merges/types, ids, pre, template", () => {
    const ours = asReference(hfKv);
    expect((hfKv.find((k) => k.key === "tokenizer.ggml.tokens")!.value as string[]).length).toBe(PADDED);
    expect(Object.keys(ours)).toEqual(Object.keys(ref.hf));
    expect(ours).toEqual(ref.hf);
    expect(ours["tokenizer.ggml.pre"]).toEqual({ type: "STRING", value: "llama-bpe" });
  });

  it("from Meta's tiktoken tokenizer.model writes the same metadata as llama.cpp after transformers' conversion", () => {
    const ours = asReference(metaKv);
    expect(Object.keys(ours)).toEqual(Object.keys(ref.meta));
    expect(ours).toEqual(ref.meta);
  });

  it("types non-special added tokens as llama.cpp does (USER_DEFINED, ▁ as space; special-looking ones CONTROL)", async () => {
    const dir = await mkdtemp(path.join(root, "extra-"));
    await writeHfLlama3Tokenizer(dir, { extra: true });
    const kv = await buildBpeVocab({ dir, vocabSize: VOCAB + EXTRA_ADDED.length + 2, form: "hf" });
    const ours = asReference(kv, Infinity);
    expect(ours).toEqual(ref.hf_extra);
    const byKey = new Map(kv.map((k) => [k.key, k.value]));
    expect((byKey.get("tokenizer.ggml.tokens") as string[]).slice(VOCAB)).toEqual(["<|tool_call|>", " hi", "<tool>", "[PAD128259]", "[PAD128260]"]);
    expect([...(byKey.get("tokenizer.ggml.token_type") as Int32Array).slice(VOCAB)]).toEqual([3, 4, 4, 5, 5]);
  });

  it("pads the model's extra ids with [PAD{i}] tokens of type UNUSED", () => {
    const kv = new Map(hfKv.map((k) => [k.key, k.value]));
    expect((kv.get("tokenizer.ggml.tokens") as string[]).slice(-3)).toEqual(["<|reserved_special_token_247|>", "[PAD128256]", "[PAD128257]"]);
    expect([...(kv.get("tokenizer.ggml.token_type") as Int32Array).slice(-3)]).toEqual([3, 5, 5]);
  });

  it("a Meta base model ends text with <|end_of_text|> and has no chat template; 3.2 instruct gets Llama 3.2's", () => {
    const tokenizer = { added_tokens: LLAMA3_SPECIAL_TOKENS.map((content, i) => ({ id: 128000 + i, content })) };
    const kvOf = (meta: MetaLlama3Options) =>
      new Map(specialVocabKv({ tokenizer, tokenizerFile: "t", ...metaLlama3Configs(meta), chatTemplateJinja: null, additionalChatTemplates: [], chatTemplateJson: undefined }).map((k) => [k.key, k.value]));
    const base = kvOf({ version: "3.2", instruct: false });
    expect(base.get("tokenizer.ggml.bos_token_id")).toBe(128000);
    expect(base.get("tokenizer.ggml.eos_token_id")).toBe(128001);
    expect(base.has("tokenizer.chat_template")).toBe(false);
    const instruct = kvOf({ version: "3.2", instruct: true });
    expect(instruct.get("tokenizer.ggml.eos_token_id")).toBe(128009);
    expect(instruct.get("tokenizer.chat_template")).toContain('strftime_now("%d %b %Y")');
    expect(kvOf({ version: "3.1", instruct: true }).get("tokenizer.chat_template")).toBe(asReference(metaKv)["tokenizer.chat_template"]!.value);
  });

  it("@huggingface/tokenizers gives Python tokenizers' ids on chktxt and the probe strings", () => {
    const tok = new Tokenizer(hfFiles.tokenizer, hfFiles.config);
    expect(ref.ids[0]!.text).toBe(CHKTXT);
    for (const { text, ids } of ref.ids) expect(tok.encode(text).ids, JSON.stringify(text)).toEqual(ids);
  });
});

describe("buildBpeVocab errors", () => {
  async function tinyByteLevel(dir: string, extra: Record<string, unknown> = {}) {
    const vocab = Object.fromEntries(["a", "b", "c", "Ġ"].map((t, i) => [t, i]));
    await writeFile(
      path.join(dir, "tokenizer.json"),
      JSON.stringify({
        added_tokens: [],
        pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
        model: { type: "BPE", vocab, merges: [] },
        ...extra,
      }),
    );
  }

  it("refuses a Unigram tokenizer.json, naming the file", async () => {
    const dir = await mkdtemp(path.join(root, "unigram-"));
    await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "Unigram", vocab: [["<unk>", 0]] } }));
    const file = path.join(dir, "tokenizer.json");
    await expect(detectTokenizer({ dir })).rejects.toThrow(new ConvertError("invalid_tokenizer", 'model type "Unigram" is not supported (SentencePiece tokenizer.model or byte-level BPE only)', file));
    await expect(buildBpeVocab({ dir, vocabSize: 1, form: "hf" })).rejects.toThrow(new ConvertError("invalid_tokenizer", 'model type "Unigram" is not supported (only byte-level BPE)', file));
  });

  it("refuses a BPE tokenizer.json without a byte-level pre-tokenizer", async () => {
    const dir = await mkdtemp(path.join(root, "metaspace-"));
    await tinyByteLevel(dir, { pre_tokenizer: { type: "Metaspace", replacement: "▁" } });
    await expect(buildBpeVocab({ dir, vocabSize: 4, form: "hf" })).rejects.toThrow(`${path.join(dir, "tokenizer.json")}: BPE without a ByteLevel pre-tokenizer`);
  });

  it("names tokenizer.json and the hash when llama.cpp would not recognize the pre-tokenizer", async () => {
    const dir = await mkdtemp(path.join(root, "unknown-pre-"));
    await tinyByteLevel(dir);
    await expect(buildBpeVocab({ dir, vocabSize: 4, form: "hf" })).rejects.toThrow(
      new RegExp(`^${path.join(dir, "tokenizer.json").replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: BPE pre-tokenizer not recognized by llama.cpp \\(chktxt hash [0-9a-f]{64}\\)$`),
    );
  });

  it("reports a tokenizer.json that cannot be loaded, naming the file", async () => {
    const dir = await mkdtemp(path.join(root, "bad-decoder-"));
    await tinyByteLevel(dir, { decoder: { type: "Nope" } });
    await expect(buildBpeVocab({ dir, vocabSize: 4, form: "hf" })).rejects.toThrow(`${path.join(dir, "tokenizer.json")}: cannot be loaded (Unknown Decoder type: Nope)`);
  });

  it("refuses token ids beyond the model's vocabulary", async () => {
    await expect(buildBpeVocab({ dir: hfDir, vocabSize: 128000, form: "hf" })).rejects.toThrow("token id 128255 is outside the model's vocabulary of 128000");
  });

  it("reports a broken tiktoken line with the file and line number", () => {
    const file = "/x/tokenizer.model";
    const parse = (text: string) => () => parseTiktoken({ data: Buffer.from(text), file });
    expect(parse("IQ== 0\nIg== 1\n!!!! 2\n")).toThrow(new ConvertError("invalid_tokenizer", 'line 3: token is not valid base64: "!!!!"', file));
    expect(parse("IQ== 0\nIg==\n")).toThrow(new ConvertError("invalid_tokenizer", 'line 2: expected "<base64 token> <rank>", got 1 field(s)', file));
    expect(parse("IQ== 0\nIg== one\n")).toThrow(new ConvertError("invalid_tokenizer", 'line 2: rank is not a non-negative integer: "one"', file));
    expect(parse("IQ== 0\n\nIg== 0\n")).toThrow(new ConvertError("invalid_tokenizer", "line 3: rank 0 already given on line 1", file));
    expect(parse("IQ== 0\nIQ== 1\n")).toThrow(new ConvertError("invalid_tokenizer", "line 2: token IQ== already given with rank 0", file));
    expect(parse("IQ== 0\nIg== 2\n")).toThrow(new ConvertError("invalid_tokenizer", "ranks must run 0..1; rank 1 is missing", file));
    expect(parse("IQ== 0\r\nIg== 1\r\n")().ranks.size).toBe(2);
  });

  it("refuses a tiktoken file that is not Llama 3's, and a broken one through buildBpeVocab", async () => {
    const dir = await mkdtemp(path.join(root, "tiktoken-"));
    const file = path.join(dir, "tokenizer.model");
    const meta = { version: "3.1", instruct: true } as const;
    await writeFile(file, "IQ== 0\nIg== 1\n");
    await expect(buildBpeVocab({ dir, vocabSize: VOCAB, form: "meta", meta })).rejects.toThrow(`${file}: has 2 tokens; a Llama 3 tokenizer.model has 128000`);
    await writeFile(file, "IQ== 0\nIg== -1\n");
    await expect(buildBpeVocab({ dir, vocabSize: VOCAB, form: "meta", meta })).rejects.toThrow(`${file}: line 2: rank is not a non-negative integer: "-1"`);
  });
});

describe("detectTokenizer", () => {
  it("tells SentencePiece, tokenizer.json BPE and Meta's tiktoken tokenizer.model apart", async () => {
    expect(await detectTokenizer({ dir: hfDir })).toEqual({ kind: "bpe", form: "hf" });
    expect(await detectTokenizer({ dir: metaDir })).toEqual({ kind: "bpe", form: "meta" });
    const sp = await mkdtemp(path.join(root, "sp-"));
    await copyFile(path.join(FIXTURE, "hf/tokenizer.model"), path.join(sp, "tokenizer.model"));
    expect(await detectTokenizer({ dir: sp })).toEqual({ kind: "sentencepiece" });
    const none = await mkdtemp(path.join(root, "none-"));
    await expect(detectTokenizer({ dir: none })).rejects.toThrow(`${path.join(none, "tokenizer.model")}: missing (and no tokenizer.json)`);
  });
});
