import { recordAudit } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { deleteConversation } from "@/lib/playground/delete-conversation";
import { getConversation } from "@/lib/playground/get-conversation";

export const GET = withRole<{ id: string }>("viewer", async ({ params, principal }) => {
  const c = await getConversation({ id: params.id, userId: principal.user.id });
  if (!c) throw notFound(`conversation ${params.id}`);
  return Response.json(c);
});

export const DELETE = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  if (!(await deleteConversation({ id: params.id, userId: principal.user.id }))) throw notFound(`conversation ${params.id}`);
  await recordAudit({ actor: principal, action: "conversation.delete", target: params.id, ip });
  return Response.json({ ok: true });
});
