import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { signIn, TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";
import { registerTinyModel } from "../helpers/tiny-gguf";

let env: TestEnv;
let app: AppHandle;
const c = {} as Record<"admin" | "alice" | "bob", TestClient>;
const keys = {} as Record<"admin" | "alice" | "bob", TestClient>;
const as = (who: "admin" | "alice" | "bob", p: Probe) => (p.api ? keys : c)[who];
let shared: { id: string; name: string };
let team: { id: string; name: string };

/**
 * Every route that reads or acts on one model or lists models, with how it names the model. `bob` is a member of a
 * group the model is not shared with: he must not learn it exists (404, or absent from lists); `alice` (in the
 * group) must get past the access check.
 */
type Probe = {
  name: string;
  call: (cl: TestClient, m: { id: string; name: string }) => Promise<Response>;
  kind: "one" | "list";
  list?: (body: unknown) => string[];
  /** The OpenAI-compatible API takes API keys only. */
  api?: boolean;
};
const PROBES: Probe[] = [
  { name: "GET /api/models/[id]", kind: "one", call: (cl, m) => cl.request("GET", `/api/models/${m.id}`) },
  { name: "POST /api/models/[id]/verify", kind: "one", call: (cl, m) => cl.request("POST", `/api/models/${m.id}/verify`, {}) },
  { name: "POST /api/models/[id]/convert", kind: "one", call: (cl, m) => cl.request("POST", `/api/models/${m.id}/convert`, { type: "f16" }) },
  { name: "GET /api/models", kind: "list", call: (cl) => cl.request("GET", "/api/models"), list: (b) => (b as { models: { name: string }[] }).models.map((m) => m.name) },
  { name: "GET /api/jobs", kind: "list", call: (cl) => cl.request("GET", "/api/jobs"), list: (b) => (b as { jobs: { summary: { modelId?: string } }[] }).jobs.map((j) => j.summary.modelId ?? "") },
  {
    name: "POST /api/runs",
    kind: "one",
    call: (cl, m) => cl.request("POST", "/api/runs", { model: m.name, mode: "completion", params: { maxTokens: 1, temperature: 0 }, upload: { format: "lines", content: "hello" } }),
  },
  { name: "GET /api/runs", kind: "list", call: (cl) => cl.request("GET", "/api/runs"), list: (b) => (b as { runs: { modelName: string }[] }).runs.map((r) => r.modelName) },
  { name: "POST /api/playground/chat", kind: "one", call: (cl, m) => cl.request("POST", "/api/playground/chat", { model: m.name, message: "hi", chatFormat: "auto", params: { maxTokens: 1 } }) },
  { name: "GET /v1/models", kind: "list", api: true, call: (cl) => cl.request("GET", "/v1/models"), list: (b) => (b as { data: { id: string }[] }).data.map((m) => m.id) },
  { name: "POST /v1/completions", kind: "one", api: true, call: (cl, m) => cl.request("POST", "/v1/completions", { model: m.name, prompt: "Once upon a time", max_tokens: 1 }) },
  {
    name: "POST /v1/chat/completions",
    kind: "one",
    api: true,
    call: (cl, m) => cl.request("POST", "/v1/chat/completions", { model: m.name, messages: [{ role: "user", content: "hi" }], max_tokens: 1 }),
  },
];

beforeAll(async () => {
  env = await setupTestEnv();
  app = await startApp(env, { workers: 1 });
  for (const [name, role] of [["admin", "admin"], ["alice", "member"], ["bob", "member"]] as const) c[name] = await signIn(app.baseUrl, `${name}@example.com`, role);
  for (const who of ["admin", "alice", "bob"] as const) {
    keys[who] = new TestClient(app.baseUrl, (await c[who].json<{ key: string }>("POST", "/api/api-keys", { name: "cli" })).key);
  }
  // Real GGUF models, so that the inference routes can run them for those allowed.
  shared = await registerTinyModel({ dataDir: env.dataDir, name: "shared-model" });
  team = await registerTinyModel({ dataDir: env.dataDir, name: "team-model" });
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
  it.each(PROBES.filter((p) => p.kind === "one"))("$name: another group's member gets 404, a group member gets through", async (p) => {
    const status = async (who: "admin" | "alice" | "bob", m: { id: string; name: string }) => {
      const res = await p.call(as(who, p), m);
      await res.body?.cancel();
      return res.status;
    };
    expect(await status("bob", shared)).toBe(404);
    expect(await status("alice", shared)).not.toBe(404);
    expect(await status("bob", team)).not.toBe(404);
    expect(await status("admin", shared)).not.toBe(404);
  });

  it.each(PROBES.filter((p) => p.kind === "list"))("$name: lists the model only for those who may see it", async (p) => {
    const seen = async (who: "admin" | "alice" | "bob") => p.list!(await (await p.call(as(who, p), shared)).json());
    const marker = p.name === "GET /api/jobs" ? shared.id : shared.name;
    expect(await seen("bob")).not.toContain(marker);
    expect(await seen("alice")).toContain(marker);
    expect(await seen("admin")).toContain(marker);
  });

  it("bob's API key sees no more than his session", async () => {
    expect((await keys.bob.request("GET", `/api/models/${shared.id}`)).status).toBe(404);
    const { models } = await keys.bob.json<{ models: { name: string }[] }>("GET", "/api/models");
    expect(models.map((m) => m.name)).not.toContain("shared-model");
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
