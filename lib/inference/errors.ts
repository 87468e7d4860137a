import { DepotError } from "../errors";

export const INFERENCE_ERROR_CODES = ["model_not_found", "model_not_ready", "no_gguf", "bad_input", "context_overflow", "failed"] as const;
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

/** Errors of running a generation; none is worth retrying (the same input fails the same way). */
export class InferenceError extends DepotError<InferenceErrorCode> {
  override readonly name = "InferenceError";
}

/** A model this worker cannot place: too large for its memory budget on every placement, or split options it cannot apply. */
export class ModelPlacementError extends DepotError<"too_large" | "bad_split" | "split_unsupported"> {
  override readonly name = "ModelPlacementError";
}
