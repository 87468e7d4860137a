import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";
import { waitFor } from "../helpers/wait-for";

const run = promisify(execFile);
const depot = path.resolve(import.meta.dirname, "../../bin/depot.js");
let env: TestEnv;
let app: AppHandle;

beforeAll(async () => {
  env = await setupTestEnv();
  app = await startApp(env, { workers: 1 });
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("depot CLI", () => {
  it("`depot admin create` makes an administrator who can sign in", async () => {
    const { stdout } = await run(depot, ["admin", "create", "--email", "Root@Example.com", "--password", "quartz-ember-tide-42"], { env: process.env });
    expect(stdout).toContain("created administrator root@example.com");
    expect((await db().user.findUniqueOrThrow({ where: { email: "root@example.com" } })).role).toBe("admin");
    await new TestClient(app.baseUrl).login("root@example.com", "quartz-ember-tide-42");
  });

  it("refuses a short password with a clear message and a non-zero exit", async () => {
    const err = await run(depot, ["admin", "create", "--email", "x@example.com", "--password", "short"], { env: process.env }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/password: at least 8 characters/);
  });

  it("`depot status` shows the queues and the online worker through the API with a key", async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.login("root@example.com", "quartz-ember-tide-42");
    const { key } = await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" });
    await waitFor("worker heartbeat", async () => (await db().workerHeartbeat.count()) > 0);
    const { stdout } = await run(depot, ["status"], { env: { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: key } });
    expect(stdout).toMatch(/maintenance\s+0\s+0/);
    expect(stdout).toMatch(/● .+-\d+ {2}store [0-9a-f]{12} {2}CPU/);
    const denied = await run(depot, ["status"], { env: { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: "depot_wrong" } }).catch((e: { stderr: string }) => e);
    expect((denied as { stderr: string }).stderr).toContain("sign in or send an API key");
  });
});
