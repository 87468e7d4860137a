import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { deleteModel } from "@/lib/models/delete-model";
import { getModel } from "@/lib/models/get-model";

export const GET = withRole<{ id: string }>("viewer", async ({ params, principal, ip }) => {
  await assertModelVisible(principal, { id: params.id }, ip);
  return Response.json({ model: await getModel({ id: params.id, user: principal.user }) });
});

/** Admin only: removes the model and its files; answers with the bytes freed. */
export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const r = await deleteModel({ id: params.id, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.delete", target: params.id, detail: r, ip });
  return Response.json(r);
});
