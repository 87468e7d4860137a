export { parseSentencePiece, PieceType, type SentencePieceModel } from "./parse-sentencepiece";
export { buildLlamaVocab } from "./build-llama-vocab";
export { buildBpeVocab, type BpeVocabParams } from "./build-bpe-vocab";
export { detectTokenizer, type TokenizerKind } from "./detect-tokenizer";
export { LLAMA3_SPECIAL_TOKENS, type MetaLlama3Options } from "./llama3-meta";
