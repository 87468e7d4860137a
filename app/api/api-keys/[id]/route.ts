import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { forbidden, notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";

export const DELETE = withRole<{ id: string }>("viewer", async ({ params, principal, ip }) => {
  const key = await db().apiKey.findUnique({ where: { id: params.id } });
  if (!key) throw notFound("API key");
  if (key.userId !== principal.user.id && principal.user.role !== "admin") throw forbidden("revoking other users' API keys");
  await db().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
  await recordAudit({ actor: principal, action: "api_key.revoke", target: key.prefix, ip });
  return Response.json({ ok: true });
});
