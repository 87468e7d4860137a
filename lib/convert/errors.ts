import { DepotError } from "../errors";

export type ConvertErrorCode =
  /** The directory holds no checkpoint we can read. */
  | "unsupported_format"
  /** config.json / params.json describe a model other than Llama. */
  | "unsupported_architecture"
  /** config.json / params.json is missing, unparsable or inconsistent with the weights. */
  | "invalid_config"
  /** A safetensors file or its shard index is malformed or truncated. */
  | "invalid_safetensors"
  /** A zip checkpoint is malformed, truncated, compressed or lacks an entry. */
  | "invalid_zip"
  /** A pickle uses an opcode, global or call that a tensor state dict never needs. */
  | "unsafe_pickle"
  /** A pickle is malformed or does not describe a state dict of tensors. */
  | "invalid_pickle"
  /** A tensor dtype we do not convert. */
  | "unsupported_dtype"
  /** Tensor names or shapes do not fit a Llama model. */
  | "invalid_tensors"
  /** A GGUF input is malformed or truncated, or its tensor data overlaps or lies outside the file. */
  | "invalid_gguf"
  /** An output type we cannot write (from this input). */
  | "unsupported_type"
  /** tokenizer.model is missing or does not parse. */
  | "invalid_tokenizer"
  | "aborted";

/**
 * The one error type of lib/convert; `file` names the input at fault when there is one. Never retryable: every
 * code describes the input (or a deliberate abort), so the same conversion would fail the same way.
 */
export class ConvertError extends DepotError<ConvertErrorCode> {
  override readonly name = "ConvertError";
  constructor(
    code: ConvertErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(code, file ? `${file}: ${message}` : message, false);
  }
}
