import { open } from "node:fs/promises";
import path from "node:path";
import { ConvertError } from "../errors";
import { readJson } from "./vocab-common";

/**
 * Which vocabulary a Llama directory holds. As llama.cpp's LlamaModel.set_vocab, a SentencePiece tokenizer.model wins;
 * otherwise tokenizer.json (byte-level BPE: Llama 3 in HF form); otherwise a tiktoken tokenizer.model (Meta's Llama 3).
 */
export type TokenizerKind = { kind: "sentencepiece" } | { kind: "bpe"; form: "hf" | "meta" };

/** A tiktoken file starts with a `base64 rank` text line; a SentencePiece ModelProto is binary protobuf. */
const TIKTOKEN_LINE = /^[A-Za-z0-9+/]+={0,2}[ \t]+\d+\r?(\n|$)/;

async function head(file: string): Promise<Buffer | null> {
  let fh;
  try {
    fh = await open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function detectTokenizer(params: { dir: string }): Promise<TokenizerKind> {
  const modelFile = path.join(params.dir, "tokenizer.model");
  const jsonFile = path.join(params.dir, "tokenizer.json");
  const model = await head(modelFile);
  const tiktoken = model !== null && TIKTOKEN_LINE.test(model.toString("latin1"));
  if (model !== null && !tiktoken) return { kind: "sentencepiece" };
  const json = await readJson<{ model?: { type?: unknown } }>(jsonFile);
  if (json !== null) {
    const type = json.model?.type;
    if (type !== "BPE") {
      throw new ConvertError("invalid_tokenizer", `model type ${JSON.stringify(type ?? null)} is not supported (SentencePiece tokenizer.model or byte-level BPE only)`, jsonFile);
    }
    return { kind: "bpe", form: "hf" };
  }
  if (tiktoken) return { kind: "bpe", form: "meta" };
  throw new ConvertError("invalid_tokenizer", "missing (and no tokenizer.json)", modelFile);
}
