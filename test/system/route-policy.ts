import type { Role } from "../../lib/auth/roles";

/**
 * The access policy of every route, as the table-driven test expects it. A new route or method that is not
 * listed here fails the test, so each addition is a deliberate decision. `public` needs no user.
 */
export type Access = Role | "public";

export const API_POLICY: Record<string, Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Access>>> = {
  "/api/health": { GET: "public" },
  "/api/setup": { POST: "public" },
  "/api/auth/login": { POST: "public" },
  "/api/auth/logout": { POST: "viewer" },
  "/api/me": { GET: "viewer" },
  "/api/overview": { GET: "viewer" },
  "/api/jobs": { GET: "viewer", POST: "member" },
  "/api/jobs/[id]": { GET: "viewer", DELETE: "admin" },
  "/api/jobs/[id]/retry": { POST: "member" },
  "/api/jobs/[id]/cancel": { POST: "member" },
  "/api/users": { GET: "admin", POST: "admin" },
  "/api/users/[id]": { PATCH: "admin", DELETE: "admin" },
  "/api/api-keys": { GET: "viewer", POST: "viewer" },
  "/api/api-keys/[id]": { DELETE: "viewer" },
  "/api/credentials": { GET: "admin", POST: "admin" },
  "/api/credentials/[id]": { DELETE: "admin" },
  "/api/audit": { GET: "admin" },
  "/api/maintenance/gc": { POST: "admin" },
  "/metrics": { GET: "admin" }, // or Bearer METRICS_TOKEN
};

/** Pages: all need a session except the sign-in pages. */
export const PUBLIC_PAGES = new Set(["/login", "/setup"]);
