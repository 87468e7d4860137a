import { randomUUID } from "node:crypto";
import { config } from "../config/env";
import { cancelJob } from "../jobs/job-actions";
import { webRedis } from "../redis/connection";
import { enqueue } from "../queue/enqueue";
import { modelLane } from "../queue/names";
import { QueueFullError } from "./errors";
import type { RunnableModel } from "../models/find-model";
import type { GenerationInput, SamplingInput } from "../generation/sampling";
import { cancelledEvent, inflightKey, streamChannel, type StreamEvent } from "./stream-events";
import { subscribeStream } from "./stream-subscriber";

/** Interactive work runs before batch items (BullMQ: lower priority number first). */
export const INTERACTIVE_PRIORITY = 1;
/** A request still in the in-flight set after this long was abandoned by a crashed web process. */
const INFLIGHT_TTL_MS = 15 * 60_000;
const RETRY_AFTER_S = 2;

export type InteractiveRequest = { requestId: string; jobId: string; events: AsyncIterable<StreamEvent> };

/**
 * Puts a playground turn or API request on the inference queue ahead of batch items and returns its event
 * stream (text pieces, then done or error). Beyond INFERENCE_MAX_QUEUE requests in flight it throws
 * QueueFullError. Aborting `signal` (the client went away) cancels the job.
 */
export async function submitInteractive(params: {
  userId: string;
  model: RunnableModel;
  input: GenerationInput;
  sampling: SamplingInput;
  signal?: AbortSignal;
}): Promise<InteractiveRequest> {
  const redis = webRedis();
  const requestId = randomUUID();
  // Two bounds: the whole queue's depth, and each user's own share so one client cannot take all of it.
  const key = inflightKey();
  const userKey = `${key}:user:${params.userId}`;
  const now = Date.now();
  for (const [k, limit, message] of [
    [key, config().INFERENCE_MAX_QUEUE, undefined],
    [userKey, config().INFERENCE_USER_MAX_INTERACTIVE, `you have ${config().INFERENCE_USER_MAX_INTERACTIVE} requests in flight, your limit`],
  ] as const) {
    await redis.zremrangebyscore(k, 0, now - INFLIGHT_TTL_MS);
    await redis.zadd(k, now, requestId);
    if ((await redis.zcard(k)) > limit) {
      await redis.zrem(key, requestId);
      await redis.zrem(userKey, requestId);
      throw new QueueFullError(RETRY_AFTER_S, message);
    }
  }

  const pending: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const push = (e: StreamEvent) => {
    pending.push(e);
    wake?.();
  };
  let unsubscribe: () => void = () => {};
  let jobId = "";
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    void redis.zrem(key, requestId).catch(() => {});
    void redis.zrem(userKey, requestId).catch(() => {});
  };
  try {
    // Subscribe before enqueueing so not even the first token can be missed.
    unsubscribe = await subscribeStream(streamChannel(requestId), push);
    const job = await enqueue({
      queue: "inference",
      lane: modelLane(params.model.id),
      data: { kind: "generate", requestId, modelId: params.model.id, input: params.input, sampling: params.sampling },
      userId: params.userId,
      modelId: params.model.id,
      priority: INTERACTIVE_PRIORITY,
    });
    jobId = job.id;
  } catch (err) {
    finish();
    throw err;
  }
  const onAbort = () => {
    if (finished) return;
    finish();
    void cancelJob(jobId).catch(() => {});
    push(cancelledEvent());
  };
  params.signal?.addEventListener("abort", onAbort, { once: true });

  async function* events(): AsyncGenerator<StreamEvent> {
    let settled = false;
    try {
      for (;;) {
        const e = pending.shift();
        if (!e) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        settled = e.type === "done" || e.type === "error";
        yield e;
        if (settled) return;
      }
    } finally {
      params.signal?.removeEventListener("abort", onAbort);
      // The consumer stopped early (an SSE client went away): stop generating for nobody.
      if (!settled && !finished) void cancelJob(jobId).catch(() => {});
      finish();
    }
  }
  return { requestId, jobId, events: events() };
}
