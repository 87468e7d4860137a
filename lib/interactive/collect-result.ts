import { INFERENCE_ERROR_CODES, InferenceError } from "../inference/errors";
import type { InteractiveResult, StreamEvent } from "./stream-events";

/** Waits for the end of an interactive request's event stream: its result, or its error thrown. */
export async function collectResult(events: AsyncIterable<StreamEvent>): Promise<InteractiveResult> {
  for await (const e of events) {
    if (e.type === "done") return e.result;
    if (e.type === "error") throw new InferenceError(INFERENCE_ERROR_CODES.find((c) => c === e.code) ?? "failed", e.message);
  }
  throw new Error("the inference stream ended without a result");
}
