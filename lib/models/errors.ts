import { DepotError } from "../errors";

export type ModelErrorCode =
  | "not_found" // a model row of the job was deleted meanwhile
  | "convert_failed"
  | "corrupt" // checksums did not match, or a GGUF llama.cpp cannot read
  | "no_gguf" // a GGUF pull whose selection is not exactly one GGUF
  | "not_finished"; // a download card dismissed while its job still runs

/** The one error of lib/models; `retryable` tells the worker whether another attempt can help. */
export class ModelError extends DepotError<ModelErrorCode> {}

/**
 * What a job throws when its work failed: "cancelled" when the signal was aborted (the worker records a cancel,
 * or hands the job back on shutdown), else the library error mapped by `asJobError`.
 */
export function jobFailure(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted ? new Error("cancelled") : asJobError(err);
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
