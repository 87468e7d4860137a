import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { GgufValueType, type GgufKv } from "../../gguf";
import { ConvertError } from "../errors";
import { readJson } from "./vocab-common";

/** The parts of tokenizer.json gguf-py's SpecialVocab reads. */
export type TokenizerJson = {
  model?: { type?: unknown; vocab?: unknown; merges?: unknown } & Record<string, unknown>;
  added_tokens?: { id?: unknown; content?: unknown; special?: unknown; normalized?: unknown }[];
  normalizer?: Json | null;
  pre_tokenizer?: Json | null;
  post_processor?: Json | null;
} & Record<string, unknown>;

type Json = Record<string, unknown>;

/** chat_template.jinja (null: absent), additional_chat_templates/*.jinja (name, text) and chat_template.json's field (undefined: no file). */
export type ChatTemplateFiles = { chatTemplateJinja: string | null; additionalChatTemplates: [string, string][]; chatTemplateJson: unknown };

/** The files SpecialVocab reads, already parsed (null: the file is absent); `tokenizerFile` names the tokenizer in errors. */
export type SpecialVocabInput = ChatTemplateFiles & {
  tokenizer: TokenizerJson | null;
  tokenizerFile: string;
  tokenizerConfig: Json | null;
  config: Json | null;
};

/** Everything but tokenizer.json that SpecialVocab reads from a model directory. */
export async function readSpecialVocabFiles(dir: string): Promise<ChatTemplateFiles & { tokenizerConfig: Json | null; config: Json | null }> {
  const read = async (file: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  };
  const chatTemplateJinja = await read(path.join(dir, "chat_template.jinja"));
  const additionalChatTemplates: [string, string][] = [];
  if (chatTemplateJinja !== null) {
    const extraDir = path.join(dir, "additional_chat_templates");
    const names = await readdir(extraDir).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? [] : Promise.reject(e)));
    for (const name of names.filter((n) => n.endsWith(".jinja")).sort()) {
      additionalChatTemplates.push([name.slice(0, -".jinja".length), (await read(path.join(extraDir, name)))!]);
    }
  }
  const templateJson = await readJson<Json>(path.join(dir, "chat_template.json"));
  return {
    tokenizerConfig: await readJson<Json>(path.join(dir, "tokenizer_config.json")),
    config: await readJson<Json>(path.join(dir, "config.json")),
    chatTemplateJinja,
    additionalChatTemplates,
    chatTemplateJson: templateJson === null ? undefined : (templateJson.chat_template ?? null),
  };
}

const ID_KEY: Record<string, string> = {
  bos: "tokenizer.ggml.bos_token_id",
  eos: "tokenizer.ggml.eos_token_id",
  unk: "tokenizer.ggml.unknown_token_id",
  sep: "tokenizer.ggml.seperator_token_id", // sic: the GGUF key is spelled this way
  pad: "tokenizer.ggml.padding_token_id",
  mask: "tokenizer.ggml.mask_token_id",
  eot: "tokenizer.ggml.eot_token_id",
  eom: "tokenizer.ggml.eom_token_id",
  // cls has no GGUFWriter handler: SpecialVocab logs and skips it.
};
const ADD_KEY: Record<string, string> = {
  bos: "tokenizer.ggml.add_bos_token",
  eos: "tokenizer.ggml.add_eos_token",
  sep: "tokenizer.ggml.add_sep_token",
};

/** Python truthiness of a JSON value. */
const truthy = (v: unknown) =>
  !(v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0));
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const specialTokenId = (piece: unknown) => obj(obj(piece).SpecialToken).id;
const sequenceId = (piece: unknown) => obj(obj(piece).Sequence).id;

/**
 * gguf-py's SpecialVocab(dir, load_merges=True).add_to_gguf(), for a BPE vocabulary: merges, special token ids, the
 * add_*_token flags (its crude reading of the post-processor included), the chat template(s) and normalizer flags, in
 * the order GGUFWriter receives them.
 */
export function specialVocabKv(input: SpecialVocabInput): GgufKv[] {
  const { tokenizer, tokenizerFile } = input;
  // SpecialVocab edits tokenizer_config in memory while reading the post-processor.
  const tc: Json = { ...input.tokenizerConfig };
  const hasTc = truthy(input.tokenizerConfig); // Python tests the dict's truthiness: an empty tokenizer_config.json counts as none
  let types = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];
  const ids = new Map<string, number>();
  const add = new Map<string, boolean>();
  let merges: string[] = [];
  let lowercase: boolean | undefined;
  let stripAccents: boolean | undefined;

  const setId = (typ: string, tid: unknown, file: string) => {
    if (typeof tid !== "number" || !Number.isInteger(tid)) return;
    if (tid < 0) throw new ConvertError("invalid_tokenizer", `invalid value for special token type ${typ}: ${tid}`, file);
    if (!ids.has(typ)) ids.set(typ, tid);
  };
  const parseNormalizer = (n: Json) => {
    if (n.type === "Lowercase") lowercase = true;
    else if (n.type === "StripAccents") stripAccents = true;
    else if (n.type === "BertNormalizer") {
      if ("lowercase" in n) lowercase = n.lowercase as boolean;
      if ("strip_accents" in n) stripAccents = n.strip_accents as boolean;
    } else if (n.type === "Sequence") for (const m of (n.normalizers as Json[] | undefined) ?? []) parseNormalizer(m);
  };

  const addedTokens = tokenizer ? (tokenizer.added_tokens ?? []) : [];
  if (tokenizer) {
    const m = tokenizer.model?.merges;
    if (Array.isArray(m) && m.length > 0) {
      if (typeof m[0] === "string") merges = m as string[];
      else if (Array.isArray(m[0]) && m[0].length === 2 && typeof m[0][0] === "string") {
        // transformers >= 4.45 writes pairs; a space inside a part is written as U+0120, as llama.cpp does.
        merges = (m as string[][]).map((pair) => pair.map((part) => part.replaceAll(" ", "\u0120")).join(" "));
      } else throw new ConvertError("invalid_tokenizer", "unknown model.merges format", tokenizerFile);
    }
    if (truthy(tokenizer.normalizer)) parseNormalizer(obj(tokenizer.normalizer));

    let bos = tc.bos_token;
    let cls = tc.cls_token;
    let eos = tc.eos_token;
    let sep = tc.sep_token;
    if (!truthy(bos) && truthy(cls) && hasTc) tc.bos_token = bos = cls;
    if (!truthy(eos) && truthy(sep) && hasTc) tc.eos_token = eos = sep;
    const post = tokenizer.post_processor;
    if (truthy(post)) {
      const processors = "processors" in obj(post) ? ((obj(post).processors as unknown[]) ?? []) : [post];
      for (const p of processors.map(obj)) {
        if (p.type === "RobertaProcessing") {
          add.set("bos", true).set("eos", true).set("sep", true);
          if (!truthy(cls) && hasTc) tc.cls_token = cls = ((p.cls as unknown[] | undefined) ?? [bos])[0];
          if (!truthy(sep) && hasTc) tc.sep_token = sep = ((p.sep as unknown[] | undefined) ?? [eos])[0];
          continue;
        }
        if (p.type !== "TemplateProcessing") continue;
        const single = (p.single as unknown[] | undefined) ?? [];
        let pair = (p.pair as unknown[] | undefined) ?? [];
        let first: unknown;
        let last: unknown;
        if (single.length > 1) {
          first = specialTokenId(single[0]);
          if (truthy(first)) {
            if (!hasTc) bos = first;
            else if (first !== bos && first !== cls) {
              if (!truthy(bos)) tc.bos_token = bos = first;
              if (!truthy(cls)) tc.cls_token = cls = first;
            }
            add.set("bos", first === bos || first === cls);
          }
          last = specialTokenId(single[single.length - 1]);
          if (truthy(last)) {
            if (!hasTc) eos = last;
            else if (last !== eos) {
              if (!types.includes("eot")) {
                types = [...types, "eot"];
                tc.eot_token = eos;
              } else if (!types.includes("eom")) {
                types = [...types, "eom"];
                tc.eom_token = eos;
              }
              tc.eos_token = eos = last;
            }
            add.set("eos", last === eos);
          }
        }
        if (pair.length > 0) {
          const start = truthy(first) && specialTokenId(pair[0]) === first ? 1 : 0;
          const stop = truthy(last) && specialTokenId(pair[pair.length - 1]) === last ? pair.length - 1 : pair.length;
          pair = pair.slice(start, stop);
          if (pair.length > 0) {
            const a = sequenceId(pair[0]);
            const b = sequenceId(pair[pair.length - 1]);
            pair = pair.slice(1, -1);
            // A [sep] [eos] B
            if (a === "A" && b === "B" && pair.length > 0) {
              let addSep = false;
              const entry = specialTokenId(pair[0]);
              if (truthy(entry) && (entry === sep || entry === eos) && !truthy(last)) addSep = true;
              if (pair.length === 2) {
                const second = specialTokenId(pair[1]);
                if (truthy(second) && (second === sep || second === eos)) addSep = true;
              }
              add.set("sep", addSep);
              if (addSep && !truthy(sep) && hasTc) tc.sep_token = eos;
            }
          }
        }
      }
    }
  }

  let chatTemplate: unknown = null;
  if (hasTc) {
    const config = tc;
    let alt: unknown = null;
    if (input.chatTemplateJinja !== null) {
      alt = input.chatTemplateJinja;
      if (input.additionalChatTemplates.length > 0) {
        alt = [{ name: "default", template: input.chatTemplateJinja }, ...input.additionalChatTemplates.map(([name, template]) => ({ name, template }))];
      }
    } else if (input.chatTemplateJson !== undefined) alt = input.chatTemplateJson;
    const t = "chat_template" in config ? config.chat_template : alt;
    if (t === null || t === undefined || typeof t === "string" || Array.isArray(t)) chatTemplate = t ?? null;
    for (const typ of types) {
      const addEntry = config[`add_${typ}_token`];
      if (typeof addEntry === "boolean") add.set(typ, addEntry);
      const entry = config[`${typ}_token`];
      let content: string;
      if (typeof entry === "string") content = entry;
      else if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
        const c = (entry as Json).content;
        if (typeof c !== "string") continue;
        content = c;
      } else continue;
      setId(typ, addedTokens.find((a) => a.content === content)?.id, tokenizerFile);
    }
  }
  if (input.config) {
    for (const typ of types) {
      let id = input.config[`${typ}_token_id`];
      if ((id === undefined || id === null) && "text_config" in input.config) id = obj(input.config.text_config)[`${typ}_token_id`];
      setId(typ, id, path.join(path.dirname(tokenizerFile), "config.json"));
    }
  }

  const kv: GgufKv[] = [];
  if (merges.length > 0) kv.push({ key: "tokenizer.ggml.merges", type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: merges });
  for (const [typ, id] of ids) {
    const key = ID_KEY[typ];
    if (key) kv.push({ key, type: GgufValueType.UINT32, value: id });
  }
  for (const [typ, value] of add) {
    const key = ADD_KEY[typ];
    if (key) kv.push({ key, type: GgufValueType.BOOL, value });
  }
  kv.push(...chatTemplateKv(chatTemplate));
  if (lowercase !== undefined) kv.push({ key: "tokenizer.ggml.normalizer.lowercase", type: GgufValueType.BOOL, value: lowercase });
  if (stripAccents !== undefined) kv.push({ key: "tokenizer.ggml.normalizer.strip_accents", type: GgufValueType.BOOL, value: stripAccents });
  return kv;
}

/** GGUFWriter.add_chat_template: a string, or named templates (the default one as tokenizer.chat_template). */
function chatTemplateKv(value: unknown): GgufKv[] {
  if (value === null) return [];
  if (typeof value === "string") return [{ key: "tokenizer.chat_template", type: GgufValueType.STRING, value }];
  const kv: GgufKv[] = [];
  const names: string[] = [];
  let fallback: string | undefined;
  for (const choice of value as unknown[]) {
    const name = String(obj(choice).name ?? "").replace(/[^A-Za-z0-9]/g, "_");
    const template = obj(choice).template;
    if (!name || template === undefined || template === null) continue;
    if (name === "default") fallback = template as string;
    else {
      // Python collects the names in a set; insertion order here (Python's set order is not reproducible).
      if (!names.includes(name)) names.push(name);
      kv.push({ key: `tokenizer.chat_template.${name}`, type: GgufValueType.STRING, value: template as string });
    }
  }
  if (names.length > 0) kv.push({ key: "tokenizer.chat_templates", type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: names });
  if (fallback !== undefined) kv.push({ key: "tokenizer.chat_template", type: GgufValueType.STRING, value: fallback });
  return kv;
}
