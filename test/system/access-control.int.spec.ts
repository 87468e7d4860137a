import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, type Role } from "../../lib/auth/roles";
import { closeDb } from "../../lib/db/prisma";
import { startApp, type AppHandle } from "../helpers/start-app";
import { signIn, TestClient } from "../helpers/http-client";
import { setupTestEnv } from "../helpers/test-env";
import { discoverApiRoutes, discoverPages } from "./discover-routes";
import { API_POLICY, PUBLIC_PAGES, type Access } from "./route-policy";

let app: AppHandle;
const clients = {} as Record<Role, TestClient>;
/** The OpenAI-compatible API (/v1) takes API keys only, as OpenAI clients send them. */
const keyClients = {} as Record<Role, TestClient>;
const clientFor = (role: Role, path: string) => (path.startsWith("/v1/") ? keyClients : clients)[role];
let anonymous: TestClient;

beforeAll(async () => {
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 0 });
  anonymous = new TestClient(app.baseUrl);
  for (const role of ROLES) {
    clients[role] = await signIn(app.baseUrl, `${role}@example.com`, role);
    const { key } = await clients[role].json<{ key: string }>("POST", "/api/api-keys", { name: "test" });
    keyClients[role] = new TestClient(app.baseUrl, key);
  }
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

const routes = discoverApiRoutes();
const cases = routes.flatMap((r) => r.methods.map((method) => ({ path: r.path, method, access: API_POLICY[r.path]?.[method as "GET"] })));
const concrete = (p: string) => p.replace(/\[[^\]]+\]/g, "does-not-exist");
const rank = (a: Access) => (a === "public" ? -1 : ROLES.indexOf(a));

describe("access control over every route", () => {
  it("knows every route handler the app exports", () => {
    const missing = cases.filter((c) => !c.access).map((c) => `${c.method} ${c.path}`);
    expect(missing, "add these to test/system/route-policy.ts").toEqual([]);
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.filter((c) => c.access && c.access !== "public"))("$method $path: no credentials → 401", async ({ path, method }) => {
    const res = await anonymous.request(method, concrete(path), method === "GET" ? undefined : {});
    expect(res.status).toBe(401);
  });

  it.each(cases.filter((c) => c.access && c.access !== "public"))("$method $path: roles below the minimum → 403, at it → allowed", async ({ path, method, access }) => {
    for (const role of ROLES) {
      // Signing out would end the shared session of the later cases.
      if (path === "/api/auth/logout") continue;
      const res = await clientFor(role, path).request(method, concrete(path), method === "GET" ? undefined : {});
      if (rank(role) < rank(access!)) expect(res.status, `${role} on ${method} ${path}`).toBe(403);
      else expect([401, 403], `${role} on ${method} ${path} (${res.status})`).not.toContain(res.status);
    }
  });

  it("the OpenAI-compatible API refuses session cookies: it is for API keys", async () => {
    expect((await clients.admin.request("GET", "/v1/models")).status).toBe(401);
  });

  it("an invalid bearer key is refused, a valid one acts as its user", async () => {
    expect((await new TestClient(app.baseUrl, "depot_not-a-key").request("GET", "/api/me")).status).toBe(401);
    const { key } = await clients.member.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" });
    const keyClient = new TestClient(app.baseUrl, key);
    expect((await keyClient.json<{ user: { email: string } }>("GET", "/api/me")).user.email).toBe("member@example.com");
    expect((await keyClient.request("GET", "/api/users")).status).toBe(403);
  });

  it("refuses cookie-authenticated mutations from another origin (CSRF)", async () => {
    const res = await clients.admin.request("POST", "/api/jobs", { seconds: 1 }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("csrf");
  });

  it.each(discoverPages().filter((p) => !PUBLIC_PAGES.has(p)))("page %s redirects to /login without a session", async (page) => {
    const res = await anonymous.request("GET", concrete(page));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toMatch(/\/login$/);
  });

  it("pages also check the session on the server, not only the cookie's presence", async () => {
    const forged = await fetch(`${app.baseUrl}/jobs`, { redirect: "manual", headers: { cookie: "depot_session=s_forged" } });
    expect(forged.status).toBe(307);
    expect(forged.headers.get("location")).toMatch(/\/login$/);
  });

  it("the setup page and API exist only while no user exists", async () => {
    expect((await anonymous.request("GET", "/setup")).status).toBe(404);
    const res = await anonymous.request("POST", "/api/setup", { email: "x@example.com", name: "x", password: "quartz-ember-tide-42" });
    expect(res.status).toBe(409);
  });

  it("rate-limits sign-in attempts", async () => {
    const c = new TestClient(app.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await c.request("POST", "/api/auth/login", { email: "viewer@example.com", password: "wrong" })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
