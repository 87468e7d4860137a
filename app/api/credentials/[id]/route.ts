import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { setCredentialShares } from "@/lib/credentials/credential-access";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/http/errors";
import { readJson, withRole } from "@/lib/http/route";

/** Shares the credential with exactly these groups (their members may use it); none: its owner and admins only. */
export const PUT = withRole<{ id: string }>("admin", async ({ req, params, principal, ip }) => {
  const { groupIds } = z.object({ groupIds: z.array(z.string()).max(100) }).parse(await readJson(req));
  const r = await setCredentialShares(params.id, groupIds);
  await recordAudit({ actor: principal, action: "credential.share", target: params.id, detail: r, ip });
  return Response.json(r);
});

export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const row = await db().credential.findUnique({ where: { id: params.id } });
  if (!row) throw notFound("credential");
  await db().credential.delete({ where: { id: row.id } });
  await recordAudit({ actor: principal, action: "credential.delete", target: row.id, detail: { label: row.label }, ip });
  return Response.json({ ok: true });
});
