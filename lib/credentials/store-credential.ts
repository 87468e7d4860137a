import { z } from "zod";
import { encryptSecret, maskSecret } from "../crypto/secret-box";
import type { AccessUser } from "../access/model-access";
import { db } from "../db/prisma";
import { usableCredentialsWhere } from "./credential-access";

export const CREDENTIAL_KINDS = ["hf_token", "meta_signed_url"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const credentialInput = z.object({
  kind: z.enum(CREDENTIAL_KINDS),
  label: z.string().trim().min(1).max(100),
  value: z.string().trim().min(1).max(8192),
  expiresAt: z.coerce.date().optional(),
});

export type CredentialDto = { id: string; kind: string; label: string; hint: string; expiresAt: string | null; owner: string; groups: string[]; createdAt: string; lastUsedAt: string | null };

/** Encrypts the secret before it touches the database; only a masked hint is ever readable again outside the worker. */
export async function storeCredential(params: z.input<typeof credentialInput> & { ownerId: string }): Promise<{ id: string }> {
  const c = credentialInput.parse(params);
  const row = await db().credential.create({
    data: { kind: c.kind, label: c.label, encryptedValue: encryptSecret(c.value), hint: maskSecret(c.value), expiresAt: c.expiresAt, ownerId: params.ownerId },
  });
  return { id: row.id };
}

/** The credentials `user` may use (credential-access.ts). */
export async function listCredentials(user: AccessUser): Promise<CredentialDto[]> {
  const rows = await db().credential.findMany({
    where: usableCredentialsWhere(user),
    orderBy: { createdAt: "desc" },
    include: { owner: { select: { email: true } }, shares: { select: { group: { select: { name: true } } } } },
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    label: r.label,
    hint: r.hint,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    owner: r.owner.email,
    groups: r.shares.map((s) => s.group.name),
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  }));
}
