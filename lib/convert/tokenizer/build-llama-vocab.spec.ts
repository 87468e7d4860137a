import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURE } from "../../../test/helpers/gguf-fixtures";
import { buildLlamaVocab } from "./build-llama-vocab";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "depot-vocab-"));
  await copyFile(path.join(FIXTURE, "hf/tokenizer.model"), path.join(dir, "tokenizer.model"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const byKey = async (vocabSize = 32000) => new Map((await buildLlamaVocab({ dir, vocabSize })).map((kv) => [kv.key, kv.value]));

describe("buildLlamaVocab", () => {
  it("without configs (Meta layout) takes special ids from the model and SentencePiece's BOS-only default", async () => {
    const kv = await byKey();
    expect(kv.get("tokenizer.ggml.bos_token_id")).toBe(1);
    expect(kv.get("tokenizer.ggml.eos_token_id")).toBe(2);
    expect(kv.get("tokenizer.ggml.unknown_token_id")).toBe(0);
    expect(kv.has("tokenizer.ggml.padding_token_id")).toBe(false);
    expect(kv.get("tokenizer.ggml.add_bos_token")).toBe(true);
    expect(kv.get("tokenizer.ggml.add_eos_token")).toBe(false);
    expect([...(kv.get("tokenizer.ggml.token_type") as Int32Array).slice(0, 4)]).toEqual([2, 3, 3, 6]);
    expect(kv.has("tokenizer.chat_template")).toBe(false);
  });

  it("applies tokenizer_config.json: added tokens, add_bos/add_eos, special tokens and the chat template", async () => {
    const config = JSON.parse(await readFile(path.join(FIXTURE, "hf/tokenizer_config.json"), "utf8"));
    await writeFile(
      path.join(dir, "tokenizer_config.json"),
      JSON.stringify({
        ...config,
        add_eos_token: true,
        pad_token: "<unk>",
        chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}",
        added_tokens_decoder: { ...config.added_tokens_decoder, "32000": { content: "<|im_start|>", special: false }, "32001": { content: "▁hi", special: false } },
      }),
    );
    const kv = await byKey(32002);
    expect(kv.get("tokenizer.ggml.add_eos_token")).toBe(true);
    expect(kv.get("tokenizer.ggml.padding_token_id")).toBe(0);
    expect(kv.get("tokenizer.chat_template")).toBe("{% for m in messages %}{{ m.content }}{% endfor %}");
    const tokens = kv.get("tokenizer.ggml.tokens") as string[];
    const types = kv.get("tokenizer.ggml.token_type") as Int32Array;
    expect(tokens.slice(32000)).toEqual(["<|im_start|>", " hi"]);
    expect([...types.slice(32000)]).toEqual([3, 4]); // looks special → control; others user-defined
    expect([...types.slice(0, 3)]).toEqual([3, 3, 3]);
  });

  it("pads a vocabulary larger than the model with unused [PAD] tokens", async () => {
    const kv = await byKey(32003);
    expect((kv.get("tokenizer.ggml.tokens") as string[]).slice(32000)).toEqual(["[PAD32000]", "[PAD32001]", "[PAD32002]"]);
    expect([...(kv.get("tokenizer.ggml.token_type") as Int32Array).slice(32000)]).toEqual([5, 5, 5]);
  });

  it("fails clearly without tokenizer.model", async () => {
    await rm(path.join(dir, "tokenizer.model"));
    await expect(buildLlamaVocab({ dir, vocabSize: 32000 })).rejects.toThrow(/tokenizer\.model: missing \(only SentencePiece/);
  });
});
