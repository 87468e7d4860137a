import type { Principal } from "../auth/authenticate";
import { db } from "../db/prisma";
import { PlaygroundError } from "./errors";
import { findModel } from "../models/find-model";
import type { ChatFormat, ChatMessage, SamplingInput } from "../generation/sampling";
import type { InteractiveResult } from "../interactive/stream-events";
import { submitInteractive } from "../interactive/submit-interactive";

export type TurnEvent =
  | { type: "conversation"; id: string; jobId: string }
  | { type: "text"; text: string }
  | { type: "done"; messageId: string; result: InteractiveResult }
  | { type: "stopped"; messageId: string }
  | { type: "error"; message: string };

/**
 * What a turn sends: a new user message; the last user message again, its reply replaced (regenerate); or the last
 * user message replaced by `message`, its reply dropped (edit and resend).
 */
export type TurnMode = "send" | "regenerate" | "edit";

type StoredMessage = { id: string; role: string; content: string };

/**
 * Which stored messages a turn drops and what it sends, from the conversation so far. Regenerate and edit act on the
 * last user message, with or without a reply (a failed turn stores none).
 */
export function planTurn(history: StoredMessage[], mode: TurnMode, message: string | undefined): { drop: string[]; keep: StoredMessage[]; message: string; store: boolean } {
  if (mode === "send") {
    if (!message) throw new PlaygroundError("bad_request", "a message is required");
    return { drop: [], keep: history, message, store: true };
  }
  const lastUser = history.findLastIndex((m) => m.role === "user");
  if (lastUser < 0) throw new PlaygroundError("bad_request", `nothing to ${mode}: the conversation has no user message`);
  const after = history.slice(lastUser + 1).map((m) => m.id);
  if (mode === "regenerate") return { drop: after, keep: history.slice(0, lastUser), message: history[lastUser]!.content, store: false };
  if (!message) throw new PlaygroundError("bad_request", "the edited message is required");
  return { drop: [history[lastUser]!.id, ...after], keep: history.slice(0, lastUser), message, store: true };
}

/**
 * One playground turn: queues the whole conversation as an interactive request, then stores the user's message in
 * their conversation (a new one without `conversationId`), and yields the reply as it streams; the finished
 * reply is stored with its stats, and so is a reply the user stopped (what had arrived, marked stopped). The
 * conversation keeps the latest model, system prompt and parameters.
 */
export async function chatTurn(params: {
  principal: Principal;
  conversationId?: string;
  model: string;
  systemPrompt?: string;
  chatFormat: ChatFormat;
  sampling: SamplingInput;
  message?: string;
  mode?: TurnMode;
  signal?: AbortSignal;
}): Promise<AsyncIterable<TurnEvent>> {
  const mode = params.mode ?? "send";
  if (mode !== "send" && !params.conversationId) throw new PlaygroundError("bad_request", `${mode} needs a conversation`);
  const model = await findModel({ ref: params.model, principal: params.principal });
  const settings = {
    modelId: model.id,
    systemPrompt: params.systemPrompt || null,
    chatFormat: params.chatFormat,
    paramsJson: JSON.stringify(params.sampling),
  };
  const existing = params.conversationId
    ? await db().conversation.findFirst({ where: { id: params.conversationId, userId: params.principal.user.id } })
    : null;
  if (params.conversationId && !existing) throw new PlaygroundError("not_found", `conversation ${params.conversationId} not found`);
  const history = existing ? await db().message.findMany({ where: { conversationId: existing.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }) : [];
  const plan = planTurn(history, mode, params.message);
  const messages: ChatMessage[] = [
    ...(params.systemPrompt ? [{ role: "system" as const, content: params.systemPrompt }] : []),
    ...plan.keep.map((m) => ({ role: m.role as "user" | "assistant", content: m.content })),
    { role: "user", content: plan.message },
  ];
  // Queued first: a refused request (queue full, bad input) leaves the conversation as it was.
  const request = await submitInteractive({
    userId: params.principal.user.id,
    model,
    input: { mode: "chat", messages, chatFormat: params.chatFormat },
    sampling: params.sampling,
    signal: params.signal,
  });
  const convo = existing
    ? await db().conversation.update({ where: { id: existing.id }, data: settings })
    : await db().conversation.create({ data: { userId: params.principal.user.id, title: plan.message.slice(0, 60), ...settings } });
  if (plan.drop.length > 0) await db().message.deleteMany({ where: { id: { in: plan.drop }, conversationId: convo.id } });
  if (plan.store) await db().message.create({ data: { conversationId: convo.id, role: "user", content: plan.message } });
  return (async function* (): AsyncGenerator<TurnEvent> {
    yield { type: "conversation", id: convo.id, jobId: request.jobId };
    let partial = "";
    for await (const e of request.events) {
      if (e.type === "text") {
        partial += e.text;
        yield { type: "text", text: e.text };
      } else if (e.type === "error") {
        // A stop (stopTurn) ends the stream as "cancelled"; the client that went away is told nothing.
        if (e.message === "cancelled" && !params.signal?.aborted) {
          const m = await db().message.create({ data: { conversationId: convo.id, role: "assistant", content: partial, stopped: true } });
          yield { type: "stopped", messageId: m.id };
        } else yield { type: "error", message: e.message };
        return;
      } else if (e.type === "done") {
        const r = e.result;
        const m = await db().message.create({
          data: { conversationId: convo.id, role: "assistant", content: r.text, tokensIn: r.promptTokens, tokensOut: r.completionTokens, durationMs: r.durationMs, ttftMs: r.ttftMs },
        });
        await db().conversation.update({ where: { id: convo.id }, data: { updatedAt: new Date() } });
        yield { type: "done", messageId: m.id, result: e.result };
        return;
      }
    }
  })();
}
