import { resolveApiKey } from "./api-keys";
import { readSession, SESSION_COOKIE } from "./session";
import type { Role } from "./roles";

export type Principal = {
  user: { id: string; email: string; name: string; role: Role };
  via: "session" | "api-key";
  sessionId?: string;
  apiKeyPrefix?: string;
};

export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** Who sent this request: a Bearer API key wins over the session cookie; null when neither is valid. */
export async function authenticate(headers: Headers): Promise<Principal | null> {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) {
    const key = await resolveApiKey(auth.slice(7).trim());
    if (!key) return null;
    const u = key.user;
    return { user: { id: u.id, email: u.email, name: u.name, role: u.role as Role }, via: "api-key", apiKeyPrefix: key.prefix };
  }
  const token = parseCookies(headers.get("cookie")).get(SESSION_COOKIE);
  if (!token) return null;
  const session = await readSession(token);
  if (!session) return null;
  const u = session.user;
  return { user: { id: u.id, email: u.email, name: u.name, role: u.role as Role }, via: "session", sessionId: session.id };
}
