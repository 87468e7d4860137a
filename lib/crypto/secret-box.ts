import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { secretKey } from "./secret-key";

// AES-256-GCM; the stored form is "v1.<iv>.<tag>.<ciphertext>" (base64url) so the key can be rotated later by version.
const VERSION = "v1";

export function encryptSecret(plain: string, key: Buffer = secretKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, key: Buffer = secretKey()): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("sealed secret has an unknown format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** What may be shown or logged of a secret: its kind and last 4 characters at most. */
export function maskSecret(secret: string): string {
  if (/^https?:\/\//.test(secret)) {
    const u = new URL(secret);
    return `${u.origin}${u.pathname}?…`;
  }
  return secret.length > 8 ? `${secret.slice(0, 3)}…${secret.slice(-4)}` : "…";
}
