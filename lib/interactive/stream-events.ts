import { config } from "../config/env";
import { CancelledError } from "../errors";

/** What a worker publishes while it runs an interactive request; the web turns it into SSE or OpenAI chunks. */
export type StreamEvent =
  | { type: "start"; attempt: number }
  | { type: "text"; text: string }
  | { type: "done"; result: InteractiveResult }
  | { type: "error"; message: string; code?: string };

export type InteractiveResult = {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length";
  ttftMs: number;
  durationMs: number;
};

/** The event that ends a cancelled request's stream: a CancelledError's code and message. */
export function cancelledEvent(): StreamEvent {
  const err = new CancelledError();
  return { type: "error", message: err.message, code: err.code };
}

/** Redis pub/sub channel of one request, under the deployment's key prefix. */
export function streamChannel(requestId: string): string {
  return `${config().REDIS_PREFIX}:inference:stream:${requestId}`;
}

/** Sorted set of interactive requests in flight (score: when admitted), for the queue-depth limit. */
export function inflightKey(): string {
  return `${config().REDIS_PREFIX}:inference:inflight`;
}
