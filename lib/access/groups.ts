import { z } from "zod";
import { db } from "../db/prisma";
import { AccessError } from "./errors";

export type GroupDto = { id: string; name: string; members: { id: string; email: string }[]; models: { id: string; name: string }[] };

export const groupInput = z.object({
  name: z.string().trim().min(1).max(100),
  memberIds: z.array(z.string()).default([]),
});

const INCLUDE = {
  members: { include: { user: { select: { id: true, email: true } } } },
  shares: { include: { model: { select: { id: true, name: true } } } },
} as const;

type GroupRow = { id: string; name: string; members: { user: { id: string; email: string } }[]; shares: { model: { id: string; name: string } }[] };
const toDto = (g: GroupRow): GroupDto => ({ id: g.id, name: g.name, members: g.members.map((m) => m.user), models: g.shares.map((s) => s.model) });

export async function listGroups(): Promise<GroupDto[]> {
  return (await db().group.findMany({ orderBy: { name: "asc" }, include: INCLUDE })).map(toDto);
}

export async function createGroup(input: z.input<typeof groupInput>): Promise<GroupDto> {
  const g = groupInput.parse(input);
  if (await db().group.findUnique({ where: { name: g.name } })) throw new AccessError("exists", `group ${g.name} already exists`);
  const row = await db().group.create({
    data: { name: g.name, members: { create: g.memberIds.map((userId) => ({ userId })) } },
    include: INCLUDE,
  });
  return toDto(row);
}

/** Replaces the name and/or member list of a group. */
export async function updateGroup(id: string, input: { name?: string; memberIds?: string[] }): Promise<GroupDto> {
  if (!(await db().group.findUnique({ where: { id } }))) throw new AccessError("not_found", "group not found");
  const row = await db().$transaction(async (tx) => {
    if (input.memberIds) {
      await tx.groupMember.deleteMany({ where: { groupId: id } });
      await tx.groupMember.createMany({ data: input.memberIds.map((userId) => ({ groupId: id, userId })) });
    }
    return tx.group.update({ where: { id }, data: { name: input.name }, include: INCLUDE });
  });
  return toDto(row);
}

export async function deleteGroup(id: string): Promise<{ name: string }> {
  const g = await db().group.findUnique({ where: { id } });
  if (!g) throw new AccessError("not_found", "group not found");
  await db().group.delete({ where: { id } });
  return { name: g.name };
}

/** Shares a model with exactly these groups; an empty list returns it to the whole team. */
export async function setModelShares(modelId: string, groupIds: string[]): Promise<{ model: string; groups: string[] }> {
  const m = await db().model.findUnique({ where: { id: modelId }, select: { name: true } });
  if (!m) throw new AccessError("not_found", `model ${modelId} not found`);
  const groups = await db().group.findMany({ where: { id: { in: groupIds } }, select: { id: true, name: true } });
  if (groups.length !== new Set(groupIds).size) throw new AccessError("unknown_group", "one of the groups does not exist");
  await db().$transaction([
    db().modelShare.deleteMany({ where: { modelId } }),
    db().modelShare.createMany({ data: groups.map((g) => ({ modelId, groupId: g.id })) }),
  ]);
  return { model: m.name, groups: groups.map((g) => g.name) };
}
