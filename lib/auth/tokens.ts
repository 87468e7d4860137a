import { createHash, randomBytes } from "node:crypto";

/** A random bearer secret; only its sha256 is stored, so a database leak reveals no usable token. */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
