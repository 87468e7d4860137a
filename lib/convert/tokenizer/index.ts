export { parseSentencePiece, PieceType, type SentencePieceModel } from "./parse-sentencepiece";
export { buildLlamaVocab } from "./build-llama-vocab";
