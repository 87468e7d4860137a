import type { ConvertErrorCode } from "../convert/errors";
import { CancelledError, DepotError } from "../errors";

export type ModelErrorCode =
  | "not_found" // no such model (or a model row of the job was deleted meanwhile)
  | "convert_failed"
  | "corrupt" // checksums did not match, or a GGUF llama.cpp cannot read
  | "no_gguf" // a GGUF pull whose selection is not exactly one GGUF
  | "exists"
  | "busy"
  | "not_ready"
  | "finished"
  | "not_owner"
  | "outside_data_dir"
  | "egress"
  | "expired"
  | "not_meta"
  | "bad_type"
  | "bad_quant"
  | "bad_selection"
  | "bad_repo"
  | "bad_name"
  | "wrong_credential"
  | "invalid_gguf"
  | "not_finished" // a download card dismissed while its job still runs
  | ConvertErrorCode; // a quantization the converter refuses up front

/** The error of lib/models; `retryable` tells the worker whether another attempt can help. */
export class ModelError extends DepotError<ModelErrorCode> {
  override readonly name = "ModelError";
}

/** An import path refused (lib/models/import-gguf.ts): always the request's fault, so every code is a 400. */
export class ImportError extends DepotError<"bad_path" | "not_import_dir" | "not_found" | "outside_import_dir" | "not_gguf"> {
  override readonly name = "ImportError";
}

/**
 * What a job throws when its work failed: a CancelledError when the signal was aborted (the worker records a cancel,
 * or hands the job back on shutdown), else the library error mapped by `asJobError`.
 */
export function jobFailure(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted ? new CancelledError() : asJobError(err);
}

/**
 * Download, source and verify errors are DepotErrors that say themselves whether a retry can help. Converter
 * errors are plain Errors, which the worker would retry; they describe the input, so another attempt cannot help.
 */
export function asJobError(err: unknown): unknown {
  const e = err as { name?: string; message?: string } | null;
  if (e?.name === "ConvertError" || e?.name === "GgufError") return new ModelError("convert_failed", e.message ?? String(err), false);
  return err;
}
