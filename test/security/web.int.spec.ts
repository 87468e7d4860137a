import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as login } from "../../app/api/auth/login/route";
import { readSession, SESSION_COOKIE } from "../../lib/auth/session";
import { CLIENT_IP_HEADER } from "../../lib/http/client-ip";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { setupTestEnv } from "../helpers/test-env";

// The login route handler in-process over a real SQLite database and Redis (the web server in front only sets
// CLIENT_IP_HEADER, covered in web.spec.ts).
const signIn = (body: unknown, headers: Record<string, string> = {}) =>
  login(
    new Request("http://127.0.0.1:3000/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000", ...headers },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
const tokenOf = (res: Response) => /depot_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];

beforeAll(async () => {
  await setupTestEnv();
  await createUser({ email: "ann@example.com", name: "Ann", password: "correct horse battery", role: "member" });
});
afterAll(async () => closeDb());

describe("finding 4: X-Forwarded-For does not reset the login rate limit", () => {
  it("eleven wrong passwords from one peer are limited whatever X-Forwarded-For says", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await signIn({ email: "ann@example.com", password: "wrong" }, { "x-forwarded-for": `6.6.6.${i}`, [CLIENT_IP_HEADER]: "203.0.113.5" });
    }
    expect(last?.status).toBe(429);
    const audit = await db().auditEvent.findMany({ where: { action: "auth.login_failed" } });
    expect(new Set(audit.map((a) => a.ip))).toEqual(new Set(["203.0.113.5"]));
  });
});

describe("finding 14: signing in again revokes the session the browser presented", () => {
  it("the old cookie stops working, the new one works", async () => {
    const first = tokenOf(await signIn({ email: "ann@example.com", password: "correct horse battery" }, { [CLIENT_IP_HEADER]: "203.0.113.6" }));
    expect(first && (await readSession(first))).toBeTruthy();
    const second = tokenOf(
      await signIn({ email: "ann@example.com", password: "correct horse battery" }, { cookie: `${SESSION_COOKIE}=${first}`, [CLIENT_IP_HEADER]: "203.0.113.6" }),
    );
    expect(second && (await readSession(second))).toBeTruthy();
    expect(await readSession(first!)).toBeNull();
  });
});
