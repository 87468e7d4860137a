import type { Principal } from "../../auth/authenticate";
import { db } from "../../db/prisma";
import { notFound } from "../../http/errors";
import { findModel } from "../find-model";
import type { ChatFormat, ChatMessage, SamplingInput } from "../sampling";
import type { InteractiveResult } from "../stream-events";
import { submitInteractive } from "../submit-interactive";

export type TurnEvent =
  | { type: "conversation"; id: string; jobId: string }
  | { type: "text"; text: string }
  | { type: "done"; messageId: string; result: InteractiveResult }
  | { type: "error"; message: string };

/**
 * One playground turn: stores the user's message in their conversation (a new one without `conversationId`),
 * queues the whole conversation as an interactive request, and yields the reply as it streams; the finished
 * reply is stored too. The conversation keeps the latest model, system prompt and parameters.
 */
export async function chatTurn(params: {
  principal: Principal;
  conversationId?: string;
  model: string;
  systemPrompt?: string;
  chatFormat: ChatFormat;
  sampling: SamplingInput;
  message: string;
  signal?: AbortSignal;
}): Promise<AsyncIterable<TurnEvent>> {
  const model = await findModel({ ref: params.model, principal: params.principal });
  const settings = {
    modelId: model.id,
    systemPrompt: params.systemPrompt || null,
    chatFormat: params.chatFormat,
    paramsJson: JSON.stringify(params.sampling),
  };
  const convo = params.conversationId
    ? await db().conversation.findFirst({ where: { id: params.conversationId, userId: params.principal.user.id } })
    : await db().conversation.create({ data: { userId: params.principal.user.id, title: params.message.slice(0, 60), ...settings } });
  if (!convo) throw notFound(`conversation ${params.conversationId}`);
  if (params.conversationId) await db().conversation.update({ where: { id: convo.id }, data: settings });
  const history = await db().message.findMany({ where: { conversationId: convo.id }, orderBy: { createdAt: "asc" } });
  await db().message.create({ data: { conversationId: convo.id, role: "user", content: params.message } });
  const messages: ChatMessage[] = [
    ...(params.systemPrompt ? [{ role: "system" as const, content: params.systemPrompt }] : []),
    ...history.map((m) => ({ role: m.role as "user" | "assistant", content: m.content })),
    { role: "user", content: params.message },
  ];
  const request = await submitInteractive({
    userId: params.principal.user.id,
    model,
    input: { mode: "chat", messages, chatFormat: params.chatFormat },
    sampling: params.sampling,
    signal: params.signal,
  });
  return (async function* (): AsyncGenerator<TurnEvent> {
    yield { type: "conversation", id: convo.id, jobId: request.jobId };
    for await (const e of request.events) {
      if (e.type === "text") yield { type: "text", text: e.text };
      else if (e.type === "error") {
        yield { type: "error", message: e.message };
        return;
      }
      else if (e.type === "done") {
        const m = await db().message.create({
          data: { conversationId: convo.id, role: "assistant", content: e.result.text, tokensIn: e.result.promptTokens, tokensOut: e.result.completionTokens, durationMs: e.result.durationMs },
        });
        await db().conversation.update({ where: { id: convo.id }, data: { updatedAt: new Date() } });
        yield { type: "done", messageId: m.id, result: e.result };
        return;
      }
    }
  })();
}
