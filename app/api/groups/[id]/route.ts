import { z } from "zod";
import { deleteGroup, updateGroup } from "@/lib/access/groups";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";

const patch = z.object({ name: z.string().trim().min(1).max(100).optional(), memberIds: z.array(z.string()).optional() });

export const PATCH = withRole<{ id: string }>("admin", async ({ req, params, principal, ip }) => {
  const group = await updateGroup(params.id, patch.parse(await readJson(req)));
  await recordAudit({ actor: principal, action: "group.update", target: group.name, detail: { members: group.members.map((m) => m.email) }, ip });
  return Response.json({ group });
});

export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const { name } = await deleteGroup(params.id);
  await recordAudit({ actor: principal, action: "group.delete", target: name, ip });
  return Response.json({ ok: true });
});
