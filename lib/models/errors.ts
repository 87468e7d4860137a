import { DepotError } from "../errors";

export type ModelErrorCode =
  | "not_found" // a model row of the job was deleted meanwhile
  | "convert_failed"
  | "download_failed"
  | "corrupt"; // checksums did not match

/** The one error of lib/models; `retryable` tells the worker whether another attempt can help. */
export class ModelError extends DepotError<ModelErrorCode> {}

// Transfer failures that another attempt cannot fix: they need a user (new link, token, disk space).
const PERMANENT = new Set(["expired", "forbidden", "unauthorized", "not_found", "no_space", "checksum_mismatch", "size_mismatch", "unsafe_path"]);

/**
 * What a job throws when its work failed: "cancelled" when the signal was aborted (the worker records a cancel,
 * or hands the job back on shutdown), else the library error mapped by `asJobError`.
 */
export function jobFailure(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted ? new Error("cancelled") : asJobError(err);
}

/**
 * Library errors (DownloadError, MetaError, ConvertError, HF errors) carry a `code` but not always `retryable`;
 * this decides once, by code, so the worker retries network trouble and stops at once on everything else.
 */
export function asJobError(err: unknown): unknown {
  if (err instanceof DepotError) return err;
  const e = err as { name?: string; code?: unknown; message?: string };
  if (e?.name === "DownloadError" && typeof e.code === "string") {
    return new ModelError("download_failed", e.message ?? String(err), !PERMANENT.has(e.code));
  }
  if (e?.name === "ConvertError") return new ModelError("convert_failed", e.message ?? String(err), false);
  return err;
}
