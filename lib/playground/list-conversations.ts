import { db } from "../db/prisma";
import type { ConversationSummaryDto } from "./conversation-dto";

/** The user's own conversations, most recent first (conversations are private). */
export async function listConversations(params: { userId: string }): Promise<ConversationSummaryDto[]> {
  const rows = await db().conversation.findMany({ where: { userId: params.userId }, orderBy: { updatedAt: "desc" }, take: 200 });
  return rows.map((c) => ({ id: c.id, title: c.title, modelId: c.modelId, updatedAt: c.updatedAt.toISOString() }));
}
