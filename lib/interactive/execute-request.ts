import { DepotError } from "../errors";
import type { GenerationInput, SamplingInput } from "../generation/sampling";
import { InferenceError } from "../inference/errors";
import { generateOnModel } from "../models/generate-on-model";
import type { InteractiveResult } from "./stream-events";
import { publishStreamEvent } from "./stream-publisher";

/**
 * Worker side of a playground turn or API request: generates on the resident model and streams text to the
 * web process that waits on the request's channel. Errors are published too, then rethrown for the job record.
 */
export async function executeRequest(params: {
  requestId: string;
  modelId: string;
  input: GenerationInput;
  sampling: SamplingInput;
  attempt: number;
  signal: AbortSignal;
}): Promise<InteractiveResult> {
  const publish = (e: Parameters<typeof publishStreamEvent>[1]) => publishStreamEvent(params.requestId, e);
  try {
    await publish({ type: "start", attempt: params.attempt });
    let sent = Promise.resolve();
    const r = await generateOnModel({
      modelId: params.modelId,
      input: params.input,
      sampling: params.sampling,
      signal: params.signal,
      // Chained so pieces arrive in order without blocking generation on each publish.
      onText: (text) => void (sent = sent.then(() => publish({ type: "text", text }))),
    });
    await sent;
    const result: InteractiveResult = {
      text: r.text,
      promptTokens: r.promptTokens,
      completionTokens: r.tokens.length,
      finishReason: r.finishReason,
      ttftMs: Math.round(r.ttftMs),
      durationMs: Math.round(r.durationMs),
    };
    await publish({ type: "done", result });
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await publish({ type: "error", message, code: err instanceof DepotError ? err.code : undefined }).catch(() => {});
    // The caller has been told; a retry would generate for nobody.
    throw err instanceof DepotError ? err : new InferenceError("failed", message);
  }
}
