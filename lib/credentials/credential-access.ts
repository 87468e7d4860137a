import { db, type Prisma } from "../db/prisma";
import { CredentialError } from "./errors";

/**
 * A saved credential is its owner's: it is listed to and usable by its owner, the members of the groups an
 * admin shared it with, and admins. Anyone else is told it does not exist.
 */
export function usableCredentialsWhere(user: { id: string; role: string }): Prisma.CredentialWhereInput {
  if (user.role === "admin") return {};
  return { OR: [{ ownerId: user.id }, { shares: { some: { group: { members: { some: { userId: user.id } } } } } }] };
}

/** The credential `userId` may use, or 404 as if it did not exist. */
export async function usableCredential(id: string, userId: string): Promise<{ id: string; kind: string }> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
  const row = user && (await db().credential.findFirst({ where: { id, ...usableCredentialsWhere(user) }, select: { id: true, kind: true } }));
  if (!row) throw new CredentialError("not_found", `credential ${id} not found`);
  return row;
}

/** Admin only (the route checks): shares a credential with exactly these groups; an empty list keeps it to its owner. */
export async function setCredentialShares(id: string, groupIds: string[]): Promise<{ label: string; groups: string[] }> {
  const c = await db().credential.findUnique({ where: { id }, select: { label: true } });
  if (!c) throw new CredentialError("not_found", `credential ${id} not found`);
  const groups = await db().group.findMany({ where: { id: { in: groupIds } }, select: { id: true, name: true } });
  if (groups.length !== new Set(groupIds).size) throw new CredentialError("unknown_group", "one of the groups does not exist");
  await db().$transaction([
    db().credentialShare.deleteMany({ where: { credentialId: id } }),
    db().credentialShare.createMany({ data: groups.map((g) => ({ credentialId: id, groupId: g.id })) }),
  ]);
  return { label: c.label, groups: groups.map((g) => g.name) };
}
