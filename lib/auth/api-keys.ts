import { db } from "../db/prisma";
import { hashToken, newToken } from "./tokens";

const KEY_PREFIX = "depot_";

/** Returns the full key once; only its hash and a short prefix (for recognising it later) are stored. */
export async function createApiKey(params: { userId: string; name: string }): Promise<{ id: string; key: string; prefix: string }> {
  const key = newToken(KEY_PREFIX);
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  const row = await db().apiKey.create({ data: { name: params.name, prefix, keyHash: hashToken(key), userId: params.userId } });
  return { id: row.id, key, prefix };
}

export async function resolveApiKey(key: string) {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const row = await db().apiKey.findUnique({ where: { keyHash: hashToken(key) }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabled) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return row;
}
