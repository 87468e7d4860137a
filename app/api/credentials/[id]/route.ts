import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";

export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const row = await db().credential.findUnique({ where: { id: params.id } });
  if (!row) throw notFound("credential");
  await db().credential.delete({ where: { id: row.id } });
  await recordAudit({ actor: principal, action: "credential.delete", target: row.id, detail: { label: row.label }, ip });
  return Response.json({ ok: true });
});
