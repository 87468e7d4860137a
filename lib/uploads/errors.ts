import { DepotError } from "../errors";

export type UploadErrorCode =
  | "not_found"
  | "exists"
  | "invalid_name"
  | "invalid_gguf"
  | "invalid_checkpoint" // a folder upload whose files do not make a usable checkpoint
  | "in_folder" // a file of a folder upload, completed or cancelled on its own
  | "too_large"
  | "no_space"
  | "beyond_size"
  | "chunk_too_long"
  | "offset_mismatch" // a chunk not at the bytes received so far
  | "incomplete"; // completed before every byte arrived

/** What an upload refuses; lib/http/errors.ts gives each code its status. */
export class UploadError extends DepotError<UploadErrorCode> {
  override readonly name = "UploadError";
}

/** A refusal that tells the client where to continue: the bytes the server has. */
export class OffsetError extends UploadError {
  constructor(
    code: "offset_mismatch" | "incomplete",
    message: string,
    readonly offset: number,
  ) {
    super(code, message);
  }
}
