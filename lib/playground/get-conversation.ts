import { db } from "../db/prisma";
import type { ConversationDto, MessageDto } from "./conversation-dto";

/** One of the user's conversations with its messages; null when it is missing or someone else's. */
export async function getConversation(params: { id: string; userId: string }): Promise<ConversationDto | null> {
  const c = await db().conversation.findFirst({
    where: { id: params.id, userId: params.userId },
    include: { messages: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  if (!c) return null;
  return {
    id: c.id,
    title: c.title,
    modelId: c.modelId,
    updatedAt: c.updatedAt.toISOString(),
    systemPrompt: c.systemPrompt,
    chatFormat: c.chatFormat,
    params: c.paramsJson ? (JSON.parse(c.paramsJson) as Record<string, unknown>) : null,
    messages: c.messages.map((m) => ({
      id: m.id,
      role: m.role as MessageDto["role"],
      content: m.content,
      tokensIn: m.tokensIn,
      tokensOut: m.tokensOut,
      ttftMs: m.ttftMs,
      durationMs: m.durationMs,
      stopped: m.stopped,
      createdAt: m.createdAt.toISOString(),
    })),
  };
}
