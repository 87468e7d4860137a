// Test-only helpers for the Llama 3 tokenizer fixture in test/fixtures/tiny-llama3 (see make-tokenizer-reference.py).
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { LLAMA3_SPECIAL_TOKENS } from "../../lib/convert/tokenizer/llama3-meta";
import { BYTE_TO_UNICODE } from "../../lib/convert/tokenizer/tiktoken";

export const LLAMA3_FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama3");

/** One key of llama.cpp's GGUF metadata as make-tokenizer-reference.py dumps it. */
export type ReferenceKv =
  | { type: "array"; item_type: string; array: number; sha256: string; first5: unknown[]; last3: unknown[] }
  | { type: string; value: unknown };

export type TokenizerReference = {
  hf: Record<string, ReferenceKv>;
  /** The HF form with EXTRA_ADDED tokens appended (see writeHfLlama3Tokenizer) and two ids of padding. */
  hf_extra: Record<string, ReferenceKv>;
  meta: Record<string, ReferenceKv>;
  ids: { text: string; ids: number[] }[];
  chkhsh: string;
  tiktoken_sha256: string;
};

export async function tokenizerReference(): Promise<TokenizerReference> {
  return JSON.parse(await readFile(path.join(LLAMA3_FIXTURE, "tokenizer-reference.json"), "utf8"));
}

/** sha256 of Python's json.dumps(values, ensure_ascii=False), as the reference dumps hash arrays. */
export function pythonJsonSha256(values: ArrayLike<unknown>): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(JSON.stringify(values[i]));
  return createHash("sha256").update(`[${parts.join(", ")}]`).digest("hex");
}

type Json = Record<string, unknown>;

/** src/tokenizer.json with Llama 3.1's special-token names (the source carries 3.0's), as make.py renames them. */
async function llama31Tokenizer(): Promise<{ tokenizer: Json & { added_tokens: Json[]; model: { vocab: Record<string, number> } }; config: Json & { added_tokens_decoder: Record<string, Json> } }> {
  const src = path.join(LLAMA3_FIXTURE, "src");
  const tokenizer = JSON.parse(await readFile(path.join(src, "tokenizer.json"), "utf8"));
  const config = JSON.parse(await readFile(path.join(src, "tokenizer_config.json"), "utf8"));
  for (const a of tokenizer.added_tokens) a.content = LLAMA3_SPECIAL_TOKENS[a.id - 128000];
  for (const [id, v] of Object.entries(config.added_tokens_decoder)) (v as Json).content = LLAMA3_SPECIAL_TOKENS[Number(id) - 128000];
  return { tokenizer, config };
}

/** Non-special added tokens (content, normalized) of make-tokenizer-reference.py's hf_extra variant: ids 128256.. */
export const EXTRA_ADDED: [string, boolean][] = [
  ["<|tool_call|>", false],
  ["\u2581hi", true],
  ["<tool>", false],
];

/**
 * Writes the Llama 3.1 Instruct tokenizer in HF form (tokenizer.json, tokenizer_config.json, …) into `dir`; returns both.
 * `extra`: also EXTRA_ADDED, with tokenizer_config's added_tokens_decoder left out (as the reference's hf_extra).
 */
export async function writeHfLlama3Tokenizer(dir: string, opts: { extra?: boolean } = {}): Promise<{ tokenizer: Json; config: Json }> {
  const { tokenizer, config } = await llama31Tokenizer();
  if (opts.extra) {
    EXTRA_ADDED.forEach(([content, normalized], i) =>
      tokenizer.added_tokens.push({ id: 128256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized, special: false }),
    );
    delete (config as Json).added_tokens_decoder;
  }
  config.chat_template = await readFile(path.join(LLAMA3_FIXTURE, "src/chat_template.jinja"), "utf8");
  config.bos_token = "<|begin_of_text|>";
  config.eos_token = "<|eot_id|>";
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(config));
  await writeFile(path.join(dir, "special_tokens_map.json"), JSON.stringify({ bos_token: "<|begin_of_text|>", eos_token: "<|eot_id|>" }));
  await writeFile(
    path.join(dir, "config.json"),
    JSON.stringify({ architectures: ["LlamaForCausalLM"], bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], vocab_size: 128256 }),
  );
  return { tokenizer, config };
}

/** The same tokenizer as Meta ships it: tiktoken `base64(token bytes) rank` lines, ids 0..127999, no special tokens. */
export async function llama3TiktokenText(): Promise<string> {
  const { tokenizer } = await llama31Tokenizer();
  const byteOf = new Map(BYTE_TO_UNICODE.map((c, b) => [c, b]));
  const lines = Object.entries(tokenizer.model.vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([t, rank]) => `${Buffer.from([...t].map((c) => byteOf.get(c)!)).toString("base64")} ${rank}\n`);
  return lines.join("");
}
