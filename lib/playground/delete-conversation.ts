import { db } from "../db/prisma";

/** Deletes one of the user's conversations; false when there was none to delete. */
export async function deleteConversation(params: { id: string; userId: string }): Promise<boolean> {
  const r = await db().conversation.deleteMany({ where: { id: params.id, userId: params.userId } });
  return r.count > 0;
}
