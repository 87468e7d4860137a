import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { createApiKey } from "@/lib/auth/api-keys";
import { db } from "@/lib/db/prisma";
import { forbidden } from "@/lib/http/errors";
import { withRole, readJson } from "@/lib/http/route";

/** Everyone sees and creates their own keys (the CLI needs one); admins see everyone's and may issue keys for others. */
export const GET = withRole("viewer", async ({ principal }) => {
  const keys = await db().apiKey.findMany({
    where: principal.user.role === "admin" ? {} : { userId: principal.user.id },
    orderBy: { createdAt: "desc" },
    include: { user: { select: { email: true } } },
  });
  return Response.json({
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      user: k.user.email,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    })),
  });
});

const input = z.object({ name: z.string().trim().min(1).max(100), userId: z.string().optional() });

export const POST = withRole("viewer", async ({ req, principal, ip }) => {
  const body = input.parse(await readJson(req));
  const userId = body.userId ?? principal.user.id;
  if (userId !== principal.user.id && principal.user.role !== "admin") throw forbidden("creating API keys for other users");
  const created = await createApiKey({ userId, name: body.name });
  await recordAudit({ actor: principal, action: "api_key.create", target: created.prefix, detail: { name: body.name, userId }, ip });
  return Response.json(created, { status: 201 });
});
