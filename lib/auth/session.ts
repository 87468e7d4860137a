import { config } from "../config/env";
import { db } from "../db/prisma";
import { hashToken, newToken } from "./tokens";

export const SESSION_COOKIE = "depot_session";

export async function createSession(params: { userId: string; ip?: string; userAgent?: string }): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken("s_");
  const expiresAt = new Date(Date.now() + config().SESSION_TTL_HOURS * 3600_000);
  await db().session.create({
    data: { tokenHash: hashToken(token), userId: params.userId, expiresAt, ip: params.ip, userAgent: params.userAgent?.slice(0, 200) },
  });
  return { token, expiresAt };
}

/** The session's user, or null when the token is unknown, expired or the user is disabled. */
export async function readSession(token: string) {
  const session = await db().session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!session || session.expiresAt < new Date() || session.user.disabled) return null;
  // Touch at most once a minute: a page load makes several authenticated requests.
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) {
    await db().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  }
  return session;
}

export async function deleteSession(token: string): Promise<void> {
  await db().session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
