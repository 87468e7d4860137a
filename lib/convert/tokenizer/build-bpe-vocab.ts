import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { GgufValueType, type GgufKv } from "../../gguf";
import { ConvertError } from "../errors";
import preHashes from "./bpe-pre-hashes.json";
import { metaLlama3Configs, metaLlama3Tokenizer, type MetaLlama3Options } from "./llama3-meta";
import { PieceType } from "./parse-sentencepiece";
import { readSpecialVocabFiles, specialVocabKv, type ChatTemplateFiles, type TokenizerJson } from "./special-vocab";
import { parseTiktoken } from "./tiktoken";
import { looksSpecial, readJson } from "./vocab-common";

/** llama.cpp's get_vocab_base_pre probe text: its token ids identify the pre-tokenizer. */
export const CHKTXT =
  "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作1314151天～ ------======= нещо на Български ''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL";

export type BpeVocabParams =
  | { dir: string; vocabSize: number; form: "hf" }
  | { dir: string; vocabSize: number; form: "meta"; meta: MetaLlama3Options };

type Json = Record<string, unknown>;

/**
 * The `tokenizer.*` GGUF keys for a byte-level BPE ("gpt2") tokenizer, as convert_hf_to_gguf.py's LlamaModel.set_vocab
 * → `_set_vocab_gpt2` writes them: from tokenizer.json (+ tokenizer_config.json, config.json, chat_template.*), or from
 * Meta's tiktoken tokenizer.model through what transformers' Llama 3 conversion would write (see llama3-meta.ts).
 */
export async function buildBpeVocab(params: BpeVocabParams): Promise<GgufKv[]> {
  const { dir, vocabSize } = params;
  const tokenizerFile = path.join(dir, params.form === "hf" ? "tokenizer.json" : "tokenizer.model");
  let tokenizer: TokenizerJson;
  let tokenizerConfig: Json | null;
  let config: Json | null;
  let templateFiles: ChatTemplateFiles;
  if (params.form === "hf") {
    const json = await readJson<TokenizerJson>(tokenizerFile);
    if (json === null) throw new ConvertError("invalid_tokenizer", "missing", tokenizerFile);
    checkByteLevelBpe(json, tokenizerFile);
    tokenizer = json;
    ({ tokenizerConfig, config, ...templateFiles } = await readSpecialVocabFiles(dir));
  } else {
    let data: Buffer;
    try {
      data = await readFile(tokenizerFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ConvertError("invalid_tokenizer", "missing", tokenizerFile);
      throw e;
    }
    tokenizer = metaLlama3Tokenizer({ ranks: parseTiktoken({ data, file: tokenizerFile }), file: tokenizerFile });
    ({ tokenizerConfig, config } = metaLlama3Configs(params.meta));
    // convert_llama_weights_to_hf keeps the template in tokenizer_config (or chat_template.jinja: SpecialVocab reads either).
    templateFiles = { chatTemplateJinja: null, additionalChatTemplates: [], chatTemplateJson: undefined };
  }

  const vocab = fullVocab(tokenizer, tokenizerConfig, vocabSize, tokenizerFile);
  let hf: Tokenizer;
  try {
    // tokenizers.js insists on every component key; tokenizer.json may leave out the empty ones.
    hf = new Tokenizer({ normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...tokenizer }, tokenizerConfig ?? {});
  } catch (e) {
    throw new ConvertError("invalid_tokenizer", `cannot be loaded (${(e as Error).message})`, tokenizerFile);
  }
  const kv: GgufKv[] = [];
  // LlamaModel.set_vocab writes this before the vocabulary.
  const addPrefixSpace = tokenizerConfig?.add_prefix_space;
  if (addPrefixSpace !== undefined && addPrefixSpace !== null) {
    kv.push({ key: "tokenizer.ggml.add_space_prefix", type: GgufValueType.BOOL, value: Boolean(addPrefixSpace) });
  }
  const { tokens, types } = vocabBase({ ...vocab, hf, vocabSize });
  kv.push(
    { key: "tokenizer.ggml.model", type: GgufValueType.STRING, value: "gpt2" },
    { key: "tokenizer.ggml.pre", type: GgufValueType.STRING, value: preTokenizerName(hf, tokenizerFile) },
    { key: "tokenizer.ggml.tokens", type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: tokens },
    { key: "tokenizer.ggml.token_type", type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: types },
    ...specialVocabKv({ tokenizer, tokenizerFile, tokenizerConfig, config, ...templateFiles }),
  );
  return kv;
}

/** The tokenizer.ggml.pre llama.cpp picks: sha256 of Python's str() of chktxt's ids, looked up in its known hashes. */
export function preTokenizerName(hf: Tokenizer, file: string): string {
  const ids = hf.encode(CHKTXT).ids;
  const hash = createHash("sha256").update(`[${ids.join(", ")}]`).digest("hex");
  const name = (preHashes.hashes as Record<string, string>)[hash];
  if (name === undefined) {
    throw new ConvertError("invalid_tokenizer", `BPE pre-tokenizer not recognized by llama.cpp (chktxt hash ${hash})`, file);
  }
  return name;
}

/** Only byte-level BPE maps onto llama.cpp's "gpt2" vocabulary. */
function checkByteLevelBpe(json: TokenizerJson, file: string) {
  const type = json.model?.type;
  if (type !== "BPE") {
    throw new ConvertError("invalid_tokenizer", `model type ${JSON.stringify(type ?? null)} is not supported (only byte-level BPE)`, file);
  }
  const pre = json.pre_tokenizer as Json | null | undefined;
  const parts = pre?.type === "Sequence" ? ((pre.pretokenizers as Json[] | undefined) ?? []) : pre ? [pre] : [];
  if (!parts.some((p) => p?.type === "ByteLevel")) {
    throw new ConvertError("invalid_tokenizer", "BPE without a ByteLevel pre-tokenizer is not supported (only byte-level BPE)", file);
  }
  if (typeof json.model?.vocab !== "object" || json.model.vocab === null) throw new ConvertError("invalid_tokenizer", "model.vocab is missing", file);
}

type Added = { content: string; special: boolean; normalized: boolean };
/** tokenizers' AddedToken defaults: `normalized` is the opposite of `special` unless given. */
const addedToken = (content: string, special: unknown, normalized: unknown): Added => ({
  content,
  special: special === true,
  normalized: typeof normalized === "boolean" ? normalized : special !== true,
});

/** transformers' vocabulary with added tokens (id → token), and the added tokens; ids must fit the model. */
function fullVocab(tokenizer: TokenizerJson, tokenizerConfig: Json | null, vocabSize: number, file: string) {
  const reverse = new Map<number, string>();
  for (const [token, id] of Object.entries(tokenizer.model!.vocab as Record<string, number>)) reverse.set(id, token);
  const added = new Map<number, Added>();
  for (const a of tokenizer.added_tokens ?? []) {
    if (typeof a.id !== "number" || typeof a.content !== "string") continue;
    added.set(a.id, addedToken(a.content, a.special, a.normalized));
  }
  // transformers also adds tokenizer_config's added_tokens_decoder entries that tokenizer.json lacks.
  for (const [idText, e] of Object.entries((tokenizerConfig?.added_tokens_decoder as Record<string, Json> | undefined) ?? {})) {
    const id = Number(idText);
    if (!Number.isInteger(id) || added.has(id) || typeof e?.content !== "string") continue;
    added.set(id, addedToken(e.content, e.special, e.normalized));
  }
  for (const [id, a] of added) reverse.set(id, a.content);
  let maxId = -1;
  for (const id of reverse.keys()) maxId = Math.max(maxId, id);
  if (maxId >= vocabSize) throw new ConvertError("invalid_tokenizer", `token id ${maxId} is outside the model's vocabulary of ${vocabSize}`, file);
  return { reverse, added };
}

/**
 * get_vocab_base: each id's token and type (added tokens CONTROL when special or special-looking, else USER_DEFINED),
 * `[PAD{i}]` UNUSED for ids the tokenizer lacks.
 */
function vocabBase(params: { reverse: Map<number, string>; added: Map<number, Added>; hf: Tokenizer; vocabSize: number }) {
  const { reverse, added, hf, vocabSize } = params;
  const addedByContent = new Set([...added.values()].map((a) => a.content));
  const tokens: string[] = new Array<string>(vocabSize);
  const types = new Int32Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    let token = reverse.get(i);
    if (token === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = PieceType.Unused;
      continue;
    }
    const a = added.get(i);
    if (addedByContent.has(token) && a) {
      // llama.cpp expects CONTROL/USER_DEFINED tokens pre-normalized: it round-trips non-normalized ones.
      if (!a.normalized) token = hf.decode(hf.encode(token, { add_special_tokens: false }).ids);
      if (a.special || looksSpecial(token)) types[i] = PieceType.Control;
      else {
        token = token.replaceAll("\u2581", " ");
        types[i] = PieceType.UserDefined;
      }
    } else types[i] = PieceType.Normal;
    tokens[i] = token;
  }
  return { tokens, types };
}
