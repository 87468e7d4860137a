import { z } from "zod";
import { setModelShares } from "@/lib/access/groups";
import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/http/errors";
import { readJson, withRole } from "@/lib/http/route";

/** Which groups a model is shared with (none: the whole team). */
export const GET = withRole<{ id: string }>("admin", async ({ params }) => {
  const m = await db().model.findUnique({ where: { id: params.id }, include: { shares: { include: { group: true } } } });
  if (!m) throw notFound(`model ${params.id}`);
  return Response.json({ groups: m.shares.map((s) => ({ id: s.group.id, name: s.group.name })) });
});

export const PUT = withRole<{ id: string }>("admin", async ({ req, params, principal, ip }) => {
  const { groupIds } = z.object({ groupIds: z.array(z.string()) }).parse(await readJson(req));
  const r = await setModelShares(params.id, groupIds);
  await recordAudit({ actor: principal, action: "model.share", target: r.model, detail: { groups: r.groups }, ip });
  return Response.json(r);
});
