import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { hashPassword } from "@/lib/auth/password";
import { newPassword, passwordFromEmail } from "@/lib/auth/password-policy";
import { ROLES } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { HttpError, notFound } from "@/lib/http/errors";
import { withRole, readJson } from "@/lib/http/route";
import { toUserDto } from "@/lib/users/create-user";

const patch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES).optional(),
  disabled: z.boolean().optional(),
  password: newPassword.optional(),
});

async function assertNotLastAdmin(userId: string) {
  const admins = await db().user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
  if (admins === 0) throw new HttpError(409, "last_admin", "this is the last active administrator");
}

export const PATCH = withRole<{ id: string }>("admin", async ({ req, params, principal, ip }) => {
  const body = patch.parse(await readJson(req));
  const user = await db().user.findUnique({ where: { id: params.id } });
  if (!user) throw notFound("user");
  const problem = body.password && passwordFromEmail(body.password, user.email);
  if (problem) throw new HttpError(400, "invalid_input", `password: ${problem}`);
  if ((body.role && body.role !== "admin") || body.disabled) await assertNotLastAdmin(user.id);
  const updated = await db().user.update({
    where: { id: user.id },
    data: {
      name: body.name,
      role: body.role,
      disabled: body.disabled,
      ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}),
    },
  });
  if (body.disabled || body.password) await db().session.deleteMany({ where: { userId: user.id } });
  const { password: _omit, ...changes } = body;
  await recordAudit({ actor: principal, action: "user.update", target: user.email, detail: { ...changes, passwordChanged: Boolean(body.password) }, ip });
  return Response.json({ user: toUserDto(updated) });
});

export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const user = await db().user.findUnique({ where: { id: params.id } });
  if (!user) throw notFound("user");
  await assertNotLastAdmin(user.id);
  await db().user.delete({ where: { id: user.id } });
  await recordAudit({ actor: principal, action: "user.delete", target: user.email, ip });
  return Response.json({ ok: true });
});
