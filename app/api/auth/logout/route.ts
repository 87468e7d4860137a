import { recordAudit } from "@/lib/audit/record-audit";
import { parseCookies } from "@/lib/auth/authenticate";
import { clearedSessionCookie, deleteSession, SESSION_COOKIE } from "@/lib/auth/session";
import { withRole } from "@/lib/http/route";

export const POST = withRole("viewer", async ({ req, principal, ip }) => {
  const token = parseCookies(req.headers.get("cookie")).get(SESSION_COOKIE);
  if (token) await deleteSession(token);
  await recordAudit({ actor: principal, action: "auth.logout", target: principal.user.email, ip });
  return Response.json({ ok: true }, { headers: { "Set-Cookie": clearedSessionCookie() } });
});
