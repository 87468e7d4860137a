import type { InteractiveResult, StreamEvent } from "../interactive/stream-events";

function usage(r: InteractiveResult) {
  return { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens };
}

export function completionBody(id: string, model: string, created: number, r: InteractiveResult) {
  return {
    id,
    object: "text_completion",
    created,
    model,
    choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason }],
    usage: usage(r),
  };
}

export function chatBody(id: string, model: string, created: number, r: InteractiveResult) {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: r.text, refusal: null }, logprobs: null, finish_reason: r.finishReason }],
    usage: usage(r),
  };
}

/**
 * The OpenAI streaming chunks of one request, ending with `[DONE]`. A worker error ends the stream with an
 * error object (what OpenAI's clients raise mid-stream).
 */
export async function* openaiChunks(params: {
  kind: "chat" | "completion";
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  events: AsyncIterable<StreamEvent>;
}): AsyncGenerator<unknown> {
  const { id, model, created, kind } = params;
  const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
  const chunk = (text: string | null, finish: string | null, first = false) =>
    kind === "chat"
      ? { id, object, created, model, choices: [{ index: 0, delta: text === null ? {} : { ...(first ? { role: "assistant" } : {}), content: text }, logprobs: null, finish_reason: finish }] }
      : { id, object, created, model, choices: [{ index: 0, text: text ?? "", logprobs: null, finish_reason: finish }] };
  if (kind === "chat") yield chunk("", null, true);
  for await (const e of params.events) {
    if (e.type === "text") yield chunk(e.text, null);
    else if (e.type === "error") {
      yield { error: { message: e.message, type: "server_error", param: null, code: e.code ?? null } };
      return;
    } else if (e.type === "done") {
      yield chunk(null, e.result.finishReason);
      if (params.includeUsage) yield { id, object, created, model, choices: [], usage: usage(e.result) };
      break;
    }
  }
  yield "[DONE]";
}
