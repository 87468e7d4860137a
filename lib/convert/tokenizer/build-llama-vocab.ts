import { readFile } from "node:fs/promises";
import path from "node:path";
import { GgufValueType, type GgufKv } from "../../gguf";
import { ConvertError } from "../errors";
import { parseSentencePiece, PieceType } from "./parse-sentencepiece";
import { looksSpecial, readJson } from "./vocab-common";

type TokenizerConfig = {
  added_tokens_decoder?: Record<string, { content?: unknown; special?: unknown }>;
  add_bos_token?: unknown;
  add_eos_token?: unknown;
  chat_template?: unknown;
} & Record<string, unknown>;

const SPECIAL_TYPES = ["bos", "eos", "unk", "sep", "pad"] as const;
const GGUF_SPECIAL_KEY: Record<(typeof SPECIAL_TYPES)[number], string> = {
  bos: "bos_token_id",
  eos: "eos_token_id",
  unk: "unknown_token_id",
  sep: "seperator_token_id", // sic: the GGUF key is spelled this way
  pad: "padding_token_id",
};

/**
 * The `tokenizer.*` GGUF keys for a SentencePiece Llama tokenizer, as convert_hf_to_gguf.py's `_set_vocab_sentencepiece`
 * and gguf-py's SpecialVocab write them. Special ids come from tokenizer_config.json, then config.json, then the
 * model's TrainerSpec (Meta downloads ship only tokenizer.model).
 */
export async function buildLlamaVocab(params: { dir: string; vocabSize: number }): Promise<GgufKv[]> {
  const { dir, vocabSize } = params;
  const modelFile = path.join(dir, "tokenizer.model");
  let data: Buffer;
  try {
    data = await readFile(modelFile);
  } catch {
    throw new ConvertError("invalid_tokenizer", "missing (only SentencePiece Llama tokenizers are supported)", modelFile);
  }
  const sp = parseSentencePiece({ data, file: modelFile });

  const tokens: string[] = [];
  const scores = new Float32Array(vocabSize).fill(-10000);
  const types = new Int32Array(vocabSize).fill(PieceType.Unused);
  for (let i = 0; i < vocabSize; i++) tokens.push(`[PAD${i}]`);
  for (let i = 0; i < Math.min(sp.pieces.length, vocabSize); i++) {
    const p = sp.pieces[i]!;
    tokens[i] = p.piece;
    scores[i] = p.score;
    types[i] = p.type === PieceType.UserDefined ? PieceType.Normal : p.type; // llama.cpp keeps user-defined pieces as normal
  }

  const addedTokens = await readJson<Record<string, unknown>>(path.join(dir, "added_tokens.json"));
  for (const [text, id] of Object.entries(addedTokens ?? {})) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocabSize) continue;
    tokens[id as number] = text;
    scores[id as number] = -1000;
    types[id as number] = PieceType.UserDefined;
  }
  const tokenizerConfig = await readJson<TokenizerConfig>(path.join(dir, "tokenizer_config.json"));
  for (const [idText, entry] of Object.entries(tokenizerConfig?.added_tokens_decoder ?? {})) {
    const id = Number(idText);
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize || typeof entry?.content !== "string") continue;
    const special = entry.special === true || looksSpecial(entry.content);
    tokens[id] = special ? entry.content : entry.content.replaceAll("\u2581", " ");
    types[id] = special ? PieceType.Control : PieceType.UserDefined;
    scores[id] = -1000;
  }

  const idOf = new Map<string, number>();
  tokens.forEach((t, i) => idOf.has(t) || idOf.set(t, i));
  const config = await readJson<Record<string, unknown>>(path.join(dir, "config.json"));
  const specials: GgufKv[] = [];
  for (const typ of SPECIAL_TYPES) {
    const entry = tokenizerConfig?.[`${typ}_token`];
    const content = typeof entry === "string" ? entry : (entry as { content?: unknown } | undefined)?.content;
    let id: unknown = typeof content === "string" ? idOf.get(content) : undefined;
    if (id === undefined && config) id = config[`${typ}_token_id`];
    if (id === undefined && !tokenizerConfig && !config) {
      id = { bos: sp.bosId, eos: sp.eosId, unk: sp.unkId, pad: sp.padId, sep: -1 }[typ];
    }
    if (Number.isInteger(id) && (id as number) >= 0 && (id as number) < vocabSize) {
      specials.push({ key: `tokenizer.ggml.${GGUF_SPECIAL_KEY[typ]}`, type: GgufValueType.UINT32, value: id as number });
    }
  }

  const flag = (v: unknown, fallback: boolean) => (typeof v === "boolean" ? v : fallback);
  const kv: GgufKv[] = [
    { key: "tokenizer.ggml.model", type: GgufValueType.STRING, value: "llama" },
    { key: "tokenizer.ggml.pre", type: GgufValueType.STRING, value: "default" },
    { key: "tokenizer.ggml.tokens", type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: tokens },
    { key: "tokenizer.ggml.scores", type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: scores },
    { key: "tokenizer.ggml.token_type", type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: types },
    ...specials,
    // SentencePiece Llama models prepend BOS and no EOS unless the tokenizer config says otherwise.
    { key: "tokenizer.ggml.add_bos_token", type: GgufValueType.BOOL, value: flag(tokenizerConfig?.add_bos_token, true) },
    { key: "tokenizer.ggml.add_eos_token", type: GgufValueType.BOOL, value: flag(tokenizerConfig?.add_eos_token, false) },
  ];
  const template = await chatTemplate(dir, tokenizerConfig);
  if (template !== null) kv.push({ key: "tokenizer.chat_template", type: GgufValueType.STRING, value: template });
  return kv;
}

async function chatTemplate(dir: string, config: TokenizerConfig | null): Promise<string | null> {
  const t = config?.chat_template;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t.find((x: { name?: unknown }) => x?.name === "default") as { template?: unknown } | undefined;
    if (typeof named?.template === "string") return named.template;
  }
  try {
    return await readFile(path.join(dir, "chat_template.jinja"), "utf8");
  } catch {
    return null;
  }
}
