import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { storeIdOf } from "../../lib/stores/store-id";
import { signIn, TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";
import { registerTinyModel, tinyGguf } from "../helpers/tiny-gguf";

let env: TestEnv;
let app: AppHandle;
const c = {} as Record<"admin" | "alice" | "bob" | "viewer", TestClient>;
let shared: { id: string; name: string };
let ggufBytes: Buffer;

beforeAll(async () => {
  env = await setupTestEnv();
  app = await startApp(env, { workers: 0 });
  for (const [name, role] of [["admin", "admin"], ["alice", "member"], ["bob", "member"], ["viewer", "viewer"]] as const) c[name] = await signIn(app.baseUrl, `${name}@example.com`, role);
  shared = await registerTinyModel({ dataDir: env.dataDir, name: "shared-model" });
  ggufBytes = await readFile(await tinyGguf());
  await db().modelFile.create({ data: { modelId: shared.id, path: "shared-model.gguf", bytes: ggufBytes.length, status: "verified" } });
  const users = await db().user.findMany();
  const id = (e: string) => users.find((u) => u.email === `${e}@example.com`)!.id;
  const { group } = await c.admin.json<{ group: { id: string } }>("POST", "/api/groups", { name: "research", memberIds: [id("alice"), id("viewer")] });
  await c.admin.json("PUT", `/api/models/${shared.id}/access`, { groupIds: [group.id] });
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("GET /api/models/[id]/file", () => {
  it("streams the GGUF's bytes as an attachment to those who may see the model", async () => {
    for (const who of ["alice", "viewer", "admin"] as const) {
      const res = await c[who].request("GET", `/api/models/${shared.id}/file`);
      expect(res.status, who).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="shared-model.gguf"; filename*=UTF-8''shared-model.gguf`);
      expect(Buffer.from(await res.arrayBuffer()).equals(ggufBytes), who).toBe(true);
    }
  });

  it("answers 401 without a user and 404 to a member of another group, as for a missing model", async () => {
    const anon = await new TestClient(app.baseUrl).request("GET", `/api/models/${shared.id}/file`);
    expect(anon.status).toBe(401);
    const hidden = await c.bob.request("GET", `/api/models/${shared.id}/file`);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain("GGUF");
    expect((await c.admin.request("GET", "/api/models/nope/file")).status).toBe(404);
  });

  it("answers 404 for a file that is not one of the model's GGUFs, and for a model that is not GGUF", async () => {
    expect((await c.admin.request("GET", `/api/models/${shared.id}/file?path=${encodeURIComponent("../../store-id")}`)).status).toBe(404);
    const hf = await db().model.create({ data: { name: "hf-model", source: "hf", format: "hf", status: "ready", directory: "hf/x" } });
    await db().modelFile.create({ data: { modelId: hf.id, path: "model.gguf", status: "downloaded" } });
    expect((await c.admin.request("GET", `/api/models/${hf.id}/file`)).status).toBe(404);
  });

  it("audits the download", async () => {
    const { events } = await c.admin.json<{ events: { action: string; actor: string; target: string }[] }>("GET", "/api/audit");
    expect(events).toContainEqual(expect.objectContaining({ action: "model.download_file", target: shared.id, actor: "alice@example.com" }));
  });
});

describe("the inventory leaves failed downloads to the Downloads page", () => {
  it("lists no failed Meta or Hub download that no store holds, keeps its row, and lists held or local ones", async () => {
    const store = await storeIdOf(env.dataDir);
    const make = (name: string, source: string, status: string) =>
      db().model.create({ data: { name, source, format: source === "local" ? "gguf" : source, status, directory: path.join("x", name), files: { create: [{ path: "a.bin", status: "pending" }] } } });
    const metaFailed = await make("meta-failed", "meta", "failed");
    await make("hf-failed", "hf", "failed");
    const heldFailed = await make("hf-failed-held", "hf", "failed");
    await db().modelReplica.create({ data: { modelId: heldFailed.id, storeId: store, bytes: 1 } });
    await make("meta-downloading", "meta", "downloading");
    await make("convert-failed", "local", "failed");

    const { models } = await c.admin.json<{ models: { name: string }[] }>("GET", "/api/models");
    const names = models.map((m) => m.name);
    expect(names).not.toContain("meta-failed");
    expect(names).not.toContain("hf-failed");
    expect(names).toEqual(expect.arrayContaining(["hf-failed-held", "meta-downloading", "convert-failed", "shared-model"]));
    // The row stays for the Downloads page (Resume) and is still readable by id.
    const one = await c.admin.json<{ model: { name: string; status: string } }>("GET", `/api/models/${metaFailed.id}`);
    expect(one.model).toMatchObject({ name: "meta-failed", status: "failed" });
    expect(await (await c.admin.request("GET", "/models")).text()).not.toContain("meta-failed");
  });
});

