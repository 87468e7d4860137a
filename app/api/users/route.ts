import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db/prisma";
import { withRole, readJson } from "@/lib/http/route";
import { createUser, newUserInput, toUserDto } from "@/lib/users/create-user";

export const GET = withRole("admin", async () => {
  const users = await db().user.findMany({ orderBy: { createdAt: "asc" } });
  return Response.json({ users: users.map(toUserDto) });
});

export const POST = withRole("admin", async ({ req, principal, ip }) => {
  const user = await createUser(newUserInput.parse(await readJson(req)));
  await recordAudit({ actor: principal, action: "user.create", target: user.email, detail: { role: user.role }, ip });
  return Response.json({ user }, { status: 201 });
});
