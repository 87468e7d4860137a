import { decryptSecret } from "../crypto/secret-box";
import { db } from "../db/prisma";
import { CredentialError } from "./errors";

/** Decrypts a credential for use (worker side); records the use time. The value must never be logged. */
export async function readCredential(id: string): Promise<{ kind: string; value: string; expiresAt: Date | null }> {
  const row = await db().credential.findUnique({ where: { id } });
  if (!row) throw new CredentialError("not_found", `credential ${id} not found`);
  await db().credential.update({ where: { id }, data: { lastUsedAt: new Date() } });
  return { kind: row.kind, value: decryptSecret(row.encryptedValue), expiresAt: row.expiresAt };
}
