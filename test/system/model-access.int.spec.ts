import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { signIn, TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";

let env: TestEnv;
let app: AppHandle;
const c = {} as Record<"admin" | "alice" | "bob" | "apikeyBob", TestClient>;
let shared: { id: string; name: string };
let team: { id: string; name: string };

/**
 * Every route that reads or acts on one model or lists models, with how it names the model. `bob` is a member of a
 * group the model is not shared with: he must not learn it exists (404, or absent from lists); `alice` (in the
 * group) must get past the access check.
 */
type Probe = { name: string; call: (cl: TestClient, m: { id: string; name: string }) => Promise<Response>; kind: "one" | "list"; list?: (body: unknown) => string[] };
const PROBES: Probe[] = [
  { name: "GET /api/models/[id]", kind: "one", call: (cl, m) => cl.request("GET", `/api/models/${m.id}`) },
  { name: "POST /api/models/[id]/verify", kind: "one", call: (cl, m) => cl.request("POST", `/api/models/${m.id}/verify`, {}) },
  { name: "POST /api/models/[id]/convert", kind: "one", call: (cl, m) => cl.request("POST", `/api/models/${m.id}/convert`, { type: "f16" }) },
  { name: "GET /api/models", kind: "list", call: (cl) => cl.request("GET", "/api/models"), list: (b) => (b as { models: { name: string }[] }).models.map((m) => m.name) },
  { name: "GET /api/jobs", kind: "list", call: (cl) => cl.request("GET", "/api/jobs"), list: (b) => (b as { jobs: { summary: { modelId?: string } }[] }).jobs.map((j) => j.summary.modelId ?? "") },
];

async function model(name: string) {
  return db().model.create({ data: { name, source: "local", format: "hf", status: "ready", directory: `${env.dataDir}/hf/${name}` }, select: { id: true, name: true } });
}

beforeAll(async () => {
  env = await setupTestEnv();
  app = await startApp(env, { workers: 0 });
  for (const [name, role] of [["admin", "admin"], ["alice", "member"], ["bob", "member"]] as const) c[name] = await signIn(app.baseUrl, `${name}@example.com`, role);
  const { key } = await c.bob.json<{ key: string }>("POST", "/api/api-keys", { name: "bob cli" });
  c.apikeyBob = new TestClient(app.baseUrl, key);
  shared = await model("shared-model");
  team = await model("team-model");
  const users = await db().user.findMany();
  const id = (e: string) => users.find((u) => u.email === `${e}@example.com`)!.id;
  const { group: ga } = await c.admin.json<{ group: { id: string } }>("POST", "/api/groups", { name: "research", memberIds: [id("alice")] });
  await c.admin.json("POST", "/api/groups", { name: "support", memberIds: [id("bob")] });
  await c.admin.json("PUT", `/api/models/${shared.id}/access`, { groupIds: [ga.id] });
  // A job on the shared model, so job lists have something to hide.
  await c.admin.json("POST", `/api/models/${shared.id}/verify`, {});
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("per-model access control over every model route", () => {
  it.each(PROBES.filter((p) => p.kind === "one"))("$name: another group's member gets 404 (UI session and API key alike), a group member gets through", async (p) => {
    for (const outsider of [c.bob, c.apikeyBob]) expect((await p.call(outsider, shared)).status).toBe(404);
    expect((await p.call(c.alice, shared)).status).not.toBe(404);
    expect((await p.call(c.bob, team)).status).not.toBe(404);
    expect((await p.call(c.admin, shared)).status).not.toBe(404);
  });

  it.each(PROBES.filter((p) => p.kind === "list"))("$name: lists the model only for those who may see it", async (p) => {
    const seen = async (cl: TestClient) => p.list!(await (await p.call(cl, shared)).json());
    const marker = p.name === "GET /api/jobs" ? shared.id : shared.name;
    expect(await seen(c.bob)).not.toContain(marker);
    expect(await seen(c.apikeyBob)).not.toContain(marker);
    expect(await seen(c.alice)).toContain(marker);
    expect(await seen(c.admin)).toContain(marker);
  });

  it("the models page hides the model from another group and the detail page answers 404", async () => {
    const list = await (await c.bob.request("GET", "/models")).text();
    expect(list).toContain("team-model");
    expect(list).not.toContain("shared-model");
    expect((await c.bob.request("GET", `/models/${shared.id}`)).status).toBe(404);
    expect(await (await c.alice.request("GET", "/models")).text()).toContain("shared-model");
  });

  it("audits the share and the refused access", async () => {
    const { events } = await c.admin.json<{ events: { action: string; actor: string; target: string }[] }>("GET", "/api/audit");
    expect(events).toContainEqual(expect.objectContaining({ action: "model.share", target: "shared-model", actor: "admin@example.com" }));
    expect(events).toContainEqual(expect.objectContaining({ action: "model.access_denied", target: "shared-model", actor: "bob@example.com" }));
  });

  it("returns a model to the whole team when its last group is removed", async () => {
    await c.admin.json("PUT", `/api/models/${shared.id}/access`, { groupIds: [] });
    expect((await c.bob.request("GET", `/api/models/${shared.id}`)).status).toBe(200);
  });
});
