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
  "/api/stores": { GET: "viewer" },
  "/api/jobs": { GET: "viewer", POST: "member" },
  "/api/jobs/[id]": { GET: "viewer", DELETE: "admin" },
  "/api/jobs/[id]/retry": { POST: "member" },
  "/api/jobs/[id]/cancel": { POST: "member" },
  "/api/users": { GET: "admin", POST: "admin" },
  "/api/users/[id]": { PATCH: "admin", DELETE: "admin" },
  "/api/api-keys": { GET: "viewer", POST: "viewer" },
  "/api/api-keys/[id]": { DELETE: "viewer" },
  "/api/credentials": { GET: "admin", POST: "admin" },
  "/api/credentials/[id]/test": { POST: "admin" },
  "/api/credentials/[id]": { PUT: "admin", DELETE: "admin" },
  "/api/audit": { GET: "admin" },
  "/api/maintenance/gc": { POST: "admin" },
  "/api/downloads": { GET: "viewer" },
  "/api/downloads/[jobId]": { DELETE: "member" },
  "/api/downloads/hf": { POST: "member" },
  "/api/downloads/hf/ggufs": { GET: "member" },
  "/api/models/import": { GET: "admin", POST: "admin" },
  "/api/downloads/meta": { GET: "viewer", POST: "member" },
  "/api/downloads/meta/parse": { POST: "member" },
  "/api/downloads/meta/[jobId]": { PUT: "member", POST: "member" },
  "/api/models": { GET: "viewer" },
  "/api/models/[id]": { GET: "viewer", DELETE: "admin" },
  "/api/models/[id]/verify": { POST: "member" },
  "/api/models/[id]/convert": { POST: "member" },
  "/api/models/[id]/access": { GET: "admin", PUT: "admin" },
  "/api/models/[id]/file": { GET: "viewer" },
  "/api/uploads": { POST: "member" },
  "/api/uploads/[id]": { GET: "member", PUT: "member", DELETE: "member" },
  "/api/uploads/[id]/complete": { POST: "member" },
  "/api/uploads/folders": { POST: "member" },
  "/api/uploads/folders/[id]": { GET: "member", DELETE: "member" },
  "/api/uploads/folders/[id]/complete": { POST: "member" },
  "/api/groups": { GET: "admin", POST: "admin" },
  "/api/groups/[id]": { PATCH: "admin", DELETE: "admin" },
  "/api/runs": { GET: "viewer", POST: "member" },
  "/api/runs/validate": { POST: "member" },
  "/api/runs/[id]": { GET: "viewer" },
  "/api/runs/[id]/cancel": { POST: "member" },
  "/api/runs/[id]/retry": { POST: "member" },
  "/api/runs/[id]/export": { GET: "viewer" },
  "/api/playground/chat": { POST: "member" },
  "/api/playground/chat/stop": { POST: "member" },
  "/api/playground/presets": { GET: "viewer", POST: "member" },
  "/api/playground/presets/[id]": { DELETE: "member" },
  "/api/playground/conversations": { GET: "viewer" },
  "/api/playground/conversations/[id]": { GET: "viewer", DELETE: "member" },
  "/v1/models": { GET: "viewer" },
  "/v1/completions": { POST: "member" },
  "/v1/chat/completions": { POST: "member" },
  "/metrics": { GET: "admin" }, // or Bearer METRICS_TOKEN
};

/** Pages: all need a session except the sign-in pages. */
export const PUBLIC_PAGES = new Set(["/login", "/setup"]);
