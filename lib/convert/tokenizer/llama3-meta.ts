/**
 * What a Meta Llama 3.x download (tiktoken tokenizer.model, params.json, consolidated.*.pth) lacks and transformers'
 * convert_llama_weights_to_hf.py adds when it makes the HF folder llama.cpp converts (llama.cpp has no direct path from
 * Meta's Llama 3 form). Everything here follows that script's Llama3Converter and write_model (transformers main); the
 * chat templates are llama.cpp's copies of Meta's (models/templates/), see llama3-chat-templates.json.
 */
import { ConvertError } from "../errors";
import templates from "./llama3-chat-templates.json";
import type { TokenizerJson } from "./special-vocab";
import { tiktokenToBpe, type TiktokenRanks } from "./tiktoken";

export type MetaLlama3Options = {
  /** --llama_version: picks the instruct chat template (both versions share the special tokens). */
  version: "3.1" | "3.2";
  /** --instruct: EOS <|eot_id|> and the chat template instead of EOS <|end_of_text|> and none. */
  instruct: boolean;
};

/** Meta's tiktoken file has exactly these ranks; the special tokens follow them as ids 128000..128255. */
export const LLAMA3_RANKS = 128000;

/** DEFAULT_LLAMA_SPECIAL_TOKENS["3.1"] (= ["3.2"]): eleven named tokens, then reserved ones up to 256 in all. */
export const LLAMA3_SPECIAL_TOKENS: readonly string[] = [
  "<|begin_of_text|>",
  "<|end_of_text|>",
  "<|reserved_special_token_0|>",
  "<|reserved_special_token_1|>",
  "<|finetune_right_pad_id|>",
  "<|reserved_special_token_2|>",
  "<|start_header_id|>",
  "<|end_header_id|>",
  "<|eom_id|>",
  "<|eot_id|>",
  "<|python_tag|>",
  ...Array.from({ length: 256 - 8 - 3 }, (_, i) => `<|reserved_special_token_${i + 3}|>`),
];

/** TikTokenConverter's default pattern (Llama 3's), used for the Split pre-tokenizer. */
const PATTERN = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const BOS = "<|begin_of_text|>";

/** The tokenizer.json convert_llama_weights_to_hf would write for this tokenizer.model (TikTokenConverter + specials). */
export function metaLlama3Tokenizer(params: { ranks: TiktokenRanks; file: string }): TokenizerJson {
  const { ranks, file } = params;
  if (ranks.ranks.size !== LLAMA3_RANKS) {
    throw new ConvertError("invalid_tokenizer", `has ${ranks.ranks.size} tokens; a Llama 3 tokenizer.model has ${LLAMA3_RANKS}`, file);
  }
  const { vocab, merges } = tiktokenToBpe(ranks);
  return {
    added_tokens: LLAMA3_SPECIAL_TOKENS.map((content, i) => ({
      id: LLAMA3_RANKS + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: PATTERN }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    // Llama3Converter.update_post_processor: ByteLevel, then BOS before each sequence.
    post_processor: {
      type: "Sequence",
      processors: [
        { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: "TemplateProcessing",
          single: [{ SpecialToken: { id: BOS, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
          pair: [
            { SpecialToken: { id: BOS, type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
            { SpecialToken: { id: BOS, type_id: 1 } },
            { Sequence: { id: "B", type_id: 1 } },
          ],
          special_tokens: { [BOS]: { id: BOS, ids: [LLAMA3_RANKS], tokens: [BOS] } },
        },
      ],
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}

/** The tokenizer_config.json and config.json keys llama.cpp reads, as convert_llama_weights_to_hf writes them. */
export function metaLlama3Configs(options: MetaLlama3Options) {
  const tokenizerConfig: Record<string, unknown> = {
    bos_token: BOS,
    eos_token: options.instruct ? "<|eot_id|>" : "<|end_of_text|>",
    clean_up_tokenization_spaces: true,
    model_input_names: ["input_ids", "attention_mask"],
    model_max_length: 131072,
    ...(options.instruct ? { chat_template: templates[options.version] } : {}),
  };
  const config: Record<string, unknown> = { bos_token_id: LLAMA3_RANKS, eos_token_id: options.instruct ? [128001, 128008, 128009] : 128001 };
  return { tokenizerConfig, config };
}
