import { DepotError } from "../errors";
import { HttpError } from "../http/errors";

export const INFERENCE_ERROR_CODES = ["model_not_found", "model_not_ready", "no_gguf", "bad_input", "context_overflow", "failed"] as const;
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

/** Errors of running a generation; none is worth retrying (the same input fails the same way). */
export class InferenceError extends DepotError<InferenceErrorCode> {}

/** More interactive requests are in flight than INFERENCE_MAX_QUEUE allows: answered 429 with Retry-After. */
export class QueueFullError extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    reason = "the inference queue is full",
  ) {
    super(429, "queue_full", `${reason}: retry in ${retryAfterSeconds} s`);
  }
}
