import { DepotError } from "../errors";

export type GgufErrorCode = "invalid_gguf";

/** The one error type of lib/gguf; the message names the file. */
export class GgufError extends DepotError<GgufErrorCode> {
  override readonly name = "GgufError";
  constructor(
    code: GgufErrorCode,
    message: string,
    readonly file: string,
  ) {
    super(code, `${file}: ${message}`, false);
  }
}
