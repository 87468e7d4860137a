import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { verifyLogin } from "@/lib/auth/password";
import { rateLimit, resetRateLimit } from "@/lib/auth/rate-limit";
import { parseCookies } from "@/lib/auth/authenticate";
import { createSession, deleteSession, SESSION_COOKIE, sessionCookie } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/roles";
import { config } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";
import { jsonError } from "@/lib/http/errors";
import { PUBLIC_BODY_LIMIT, publicRoute, readJson } from "@/lib/http/route";

const input = z.object({ email: z.string().trim().toLowerCase().min(1), password: z.string().min(1) });

export const POST = publicRoute(async ({ req, ip }) => {
  const { email, password } = input.parse(await readJson(req, undefined, PUBLIC_BODY_LIMIT));
  const limitKey = `login:${ip ?? "local"}:${email}`;
  const limit = await rateLimit({ key: limitKey, limit: 10, windowSeconds: 15 * 60 });
  if (!limit.ok) {
    return jsonError(429, "rate_limited", `too many sign-in attempts: try again in ${limit.retryAfter} s`, {
      "Retry-After": String(limit.retryAfter),
    });
  }
  const user = await db().user.findUnique({ where: { email } });
  const usable = user && !user.disabled ? user : undefined;
  if (!(await verifyLogin(usable?.passwordHash, password)) || !usable) {
    await recordAudit({ actor: null, action: "auth.login_failed", target: email, ip });
    return jsonError(401, "bad_credentials", "wrong email or password");
  }
  await resetRateLimit(limitKey);
  // Rotation: the session this browser presented (if any) ends here, so a token planted before sign-in (session
  // fixation) or left from an earlier sign-in does not live on beside the new one. Other devices keep theirs.
  const previous = parseCookies(req.headers.get("cookie")).get(SESSION_COOKIE);
  if (previous) await deleteSession(previous);
  const { token, expiresAt } = await createSession({ userId: usable.id, ip, userAgent: req.headers.get("user-agent") ?? undefined });
  await recordAudit({
    actor: { user: { id: usable.id, email: usable.email, name: usable.name, role: usable.role as Role }, via: "session" },
    action: "auth.login",
    target: usable.email,
    ip,
  });
  const secure = config().SECURE_COOKIES === "true" || (config().SECURE_COOKIES === "auto" && new URL(req.url).protocol === "https:");
  return Response.json({ ok: true }, { headers: { "Set-Cookie": sessionCookie(token, expiresAt, secure) } });
});
