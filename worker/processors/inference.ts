import { executeRequest } from "../../lib/interactive/execute-request";
import type { InferencePayload } from "../../lib/queue/payloads";
import { executeRunItem } from "../../lib/runs";
import type { ProcessorContext } from "./types";

/** A batch item or an interactive request; both borrow a sequence of the model's resident context. */
export async function inference(data: InferencePayload, ctx: ProcessorContext): Promise<unknown> {
  if (data.kind === "run-item") {
    const canRetry = ctx.job.attemptsMade + 1 < (ctx.job.opts.attempts ?? 1);
    return executeRunItem({ runItemId: data.runItemId, signal: ctx.signal, canRetry });
  }
  const { kind: _kind, ...request } = data;
  return executeRequest({ ...request, attempt: ctx.job.attemptsStarted, signal: ctx.signal });
}
