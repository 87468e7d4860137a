import { DepotError } from "../errors";

/** More interactive requests are in flight than INFERENCE_MAX_QUEUE allows: answered 429 with Retry-After. */
export class QueueFullError extends DepotError<"queue_full"> {
  override readonly name = "QueueFullError";

  constructor(
    readonly retryAfterSeconds: number,
    reason = "the inference queue is full",
  ) {
    super("queue_full", `${reason}: retry in ${retryAfterSeconds} s`);
  }
}
