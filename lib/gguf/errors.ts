export type GgufErrorCode = "invalid_gguf";

/** The one error type of lib/gguf; the message names the file. */
export class GgufError extends Error {
  override readonly name = "GgufError";
  constructor(
    readonly code: GgufErrorCode,
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}
