import { db } from "../db/prisma";

export type ChatPresetDto = { id: string; name: string; systemPrompt: string | null; params: Record<string, unknown>; updatedAt: string };

type Row = { id: string; name: string; systemPrompt: string | null; paramsJson: string; updatedAt: Date };
const toDto = (p: Row): ChatPresetDto => ({
  id: p.id,
  name: p.name,
  systemPrompt: p.systemPrompt,
  params: JSON.parse(p.paramsJson) as Record<string, unknown>,
  updatedAt: p.updatedAt.toISOString(),
});

/** The user's own presets (presets are private, like conversations), by name. */
export async function listPresets(params: { userId: string }): Promise<ChatPresetDto[]> {
  return (await db().chatPreset.findMany({ where: { userId: params.userId }, orderBy: { name: "asc" } })).map(toDto);
}

/** Saves a preset under its name: a name the user already has is overwritten (saving again is how one edits). */
export async function savePreset(params: { userId: string; name: string; systemPrompt: string | null; params: Record<string, unknown> }): Promise<ChatPresetDto> {
  const data = { systemPrompt: params.systemPrompt, paramsJson: JSON.stringify(params.params) };
  const p = await db().chatPreset.upsert({
    where: { userId_name: { userId: params.userId, name: params.name } },
    create: { userId: params.userId, name: params.name, ...data },
    update: data,
  });
  return toDto(p);
}

/** Deletes one of the user's presets; false when there was none to delete. */
export async function deletePreset(params: { id: string; userId: string }): Promise<boolean> {
  return (await db().chatPreset.deleteMany({ where: { id: params.id, userId: params.userId } })).count > 0;
}
