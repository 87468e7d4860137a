import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../db/prisma";
import type { JobDto } from "../jobs/job-dto";
import { createUser } from "../users/create-user";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { waitFor } from "../../test/helpers/wait-for";
import { startHfHub, type HfHub } from "../../test/servers/hf-hub";
import { startMetaCdn, type MetaCdn } from "../../test/servers/meta-cdn";
import { buildHfLlama3Repo } from "../../test/servers/hf-llama3-repo";
import { buildLlama3Folder, buildMetaTree } from "../../test/servers/meta-fixture";
import { writePatternFile } from "../../test/servers/pattern-file";
import type { ModelDetailDto, ModelDto } from "./model-dto";

// The product end to end: the built web server and real worker processes, downloading from local stand-ins for
// Meta's CDN and the Hugging Face Hub into the test's DATA_DIR.

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama");
const MiB = 1024 * 1024;
const BIG = 200 * 1000 * 1000;
const SHARD = 24 * MiB;
const TOKEN = "hf_GatedRepoToken0123456789abcdefXYZ";
const GATED = "meta-llama/Llama-2-7b-hf";
const PLAIN = "tiny/llama-bin";
const LLAMA3_HF = "meta-llama/Llama-3.1-8B-Instruct";
const BIN_SHA256 = "335d43d0ee11b08462a04db0ee15798c0815b70e3d3c53f59b9ca7805043b3dd";

let env: TestEnv;
let app: AppHandle;
let admin: TestClient;
let member: TestClient;
let cdn: MetaCdn;
let hub: HfHub;
let work: string;
const md5s: Record<string, string> = {};
let llama3Md5s: Record<string, string> = {};

const sha256File = async (f: string) => createHash("sha256").update(await readFile(f)).digest("hex");
const job = async (id: string) => (await admin.json<{ job: JobDto }>("GET", `/api/jobs/${id}`)).job;
const model = async (id: string) => (await admin.json<{ model: ModelDetailDto }>("GET", `/api/models/${id}`)).model;
const models = async () => (await admin.json<{ models: ModelDto[] }>("GET", "/api/models")).models;
const ended = (id: string) => async () => {
  const j = await job(id);
  return ["completed", "failed", "cancelled"].includes(j.status) ? j : null;
};
const validLink = () => cdn.signUrl(new Date(Date.now() + 3600_000));

/** Every file (not folder) under the model stores of DATA_DIR. */
async function storeFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(env.dataDir, p));
    }
  };
  for (const d of ["meta", "hf", "gguf"]) await walk(path.join(env.dataDir, d));
  return out.sort();
}

/** A Meta-style model folder of pattern-filled shards with a matching checklist. */
async function patternModel(root: string, folder: string, shards: number[]): Promise<void> {
  await mkdir(path.join(root, folder), { recursive: true });
  const lines: string[] = [];
  for (const [i, bytes] of shards.entries()) {
    const name = `consolidated.${String(i).padStart(2, "0")}.pth`;
    const { md5 } = await writePatternFile(path.join(root, folder, name), bytes, 0x1234 + i);
    md5s[`${folder}/${name}`] = md5;
    lines.push(`${md5}  ${name}`);
  }
  await copyFile(path.join(FIXTURE, "meta/params.json"), path.join(root, folder, "params.json"));
  lines.push(`9c7b3efee874223c804a652b075e2e66  params.json`);
  await writeFile(path.join(root, folder, "checklist.chk"), lines.join("\n") + "\n");
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-models-"));
  const metaRoot = path.join(work, "cdn");
  await buildMetaTree(metaRoot);
  await patternModel(metaRoot, "llama-2-7b-chat", [BIG]);
  await patternModel(metaRoot, "llama-2-13b", [SHARD, SHARD]);
  await patternModel(metaRoot, "llama-2-13b-chat", [SHARD / 2, SHARD / 2]);
  llama3Md5s = (await buildLlama3Folder(metaRoot, { folder: "Llama-3.1-8B-Instruct", shardBytes: 6_000_000 })).md5;
  cdn = await startMetaCdn({ root: metaRoot });
  await buildHfLlama3Repo(path.join(work, "llama3-hf"));
  hub = await startHfHub({
    repos: [
      { name: LLAMA3_HF, dir: path.join(work, "llama3-hf") },
      { name: GATED, dir: path.join(FIXTURE, "hf"), gated: "manual" },
      { name: PLAIN, dir: path.join(FIXTURE, "bin") },
    ],
    tokens: { [TOKEN]: { user: "alice", access: [GATED] } },
  });
  env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url, LOG_LEVEL: "debug" } });
  await createUser({ email: "admin@example.com", name: "admin", password: "quartz-ember-tide-42", role: "admin" });
  admin = new TestClient(app.baseUrl);
  await admin.login("admin@example.com", "quartz-ember-tide-42");
  await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  member = new TestClient(app.baseUrl);
  await member.login("member@example.com", "quartz-ember-tide-42");
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await cdn?.stop();
  await hub?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("Meta downloads", () => {
  let sevenB: string;

  it("downloads the 7B fixture byte-identical, verifies both checklists and registers the model", async () => {
    const parsed = await admin.json<{ expiresAt: string }>("POST", "/api/downloads/meta/parse", { url: validLink() });
    expect(new Date(parsed.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: validLink(), models: ["7B"] });
    const done = await waitFor("7B download", ended(r.jobId), 60_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");

    sevenB = r.modelIds[0]!;
    const m = await model(sevenB);
    expect(m).toMatchObject({ name: "llama-2-7b", source: "meta", format: "meta", status: "verified" });
    for (const [rel, src] of [
      ["llama-2-7b/consolidated.00.pth", "meta/consolidated.00.pth"],
      ["llama-2-7b/params.json", "meta/params.json"],
      ["tokenizer.model", "meta/tokenizer.model"],
    ] as const) {
      expect(await sha256File(path.join(env.dataDir, m.directory, rel)), rel).toBe(await sha256File(path.join(FIXTURE, src)));
      const f = m.files.find((x) => x.path === rel)!;
      expect(f.status, rel).toBe("verified");
      expect(f.md5).toBe(f.expectedMd5);
    }
    expect(m.files.find((f) => f.path === "llama-2-7b/checklist.chk")?.status).toBe("downloaded");
    expect(m.bytes).toBeGreaterThan(8_400_700);
    // The link is a secret: stored encrypted, never in the job's data.
    const row = await db().job.findUniqueOrThrow({ where: { id: r.jobId } });
    expect(row.payloadSummary).not.toContain("Signature");
  });

  it("re-verifies the model on demand", async () => {
    const { jobId } = await admin.json<{ jobId: string }>("POST", `/api/models/${sevenB}/verify`, {});
    const done = await waitFor("verify job", ended(jobId));
    expect(done.status).toBe("completed");
    expect(done.result).toMatchObject({ status: "verified" });
  });

  it("converts the Meta checkpoint into a derived GGUF model with its sha256", async () => {
    const r = await admin.json<{ jobId: string; modelId: string; name: string }>("POST", `/api/models/${sevenB}/convert`, { type: "q8_0" });
    const done = await waitFor("convert job", ended(r.jobId), 120_000);
    expect(done.error).toBeNull();
    const g = await model(r.modelId);
    expect(g).toMatchObject({ format: "gguf", status: "verified", derivedFrom: { id: sevenB, name: "llama-2-7b" }, parameterCount: 4_196_672, family: "llama-2", contextLength: 4096 });
    // The list shows what the conversion recorded.
    expect((await models()).find((x) => x.id === r.modelId)).toMatchObject({ family: "llama-2", contextLength: 4096 });
    const file = g.files[0]!;
    expect(g.files).toHaveLength(1);
    expect(file.sha256).toBe(await sha256File(path.join(env.dataDir, g.directory, file.path)));
    expect(file.expectedSha256).toBe(file.sha256);
    expect(g.gguf?.fileType).toBe("Q8_0");
    expect(g.gguf?.tensors).toHaveLength(21);
    expect(g.gguf?.metadata["general.architecture"]).toBe("llama");
    expect(g.gguf?.tensors.find((t) => t.name === "blk.0.ffn_down.weight")?.type).toBe("F16");
    // No staging folder or temporary file is left beside the result.
    expect(await readdir(path.join(env.dataDir, g.directory))).toEqual([file.path]);
  });

  it("deletes models, reporting the bytes freed and leaving no files behind", async () => {
    const before = await storeFiles();
    expect(before.some((f) => f.startsWith("gguf/"))).toBe(true);
    // Deleting is for administrators only.
    expect((await member.request("DELETE", `/api/models/${sevenB}`)).status).toBe(403);
    for (const m of await models()) {
      const r = await admin.json<{ bytesFreed: number }>("DELETE", `/api/models/${m.id}`);
      expect(r.bytesFreed, m.name).toBeGreaterThanOrEqual(m.bytes);
    }
    expect(await models()).toEqual([]);
    expect(await storeFiles()).toEqual([]);
  });

  it("marks a file corrupt when the server flips a byte: model not verified, clear message", async () => {
    cdn.options.corrupt = { path: "llama-2-7b/consolidated.00.pth", offset: 4_000_000 };
    try {
      const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: validLink(), models: ["7B"] });
      const done = await waitFor("corrupt download", ended(r.jobId), 60_000);
      expect(done.status).toBe("failed");
      expect(done.error).toMatch(/llama-2-7b\/consolidated\.00\.pth: md5 mismatch: expected b5b72b4f2d00670390d3d8d4d9d2c490, got [0-9a-f]{32}/);
      const m = await model(r.modelIds[0]!);
      expect(m.status).toBe("corrupt");
      const f = m.files.find((x) => x.path === "llama-2-7b/consolidated.00.pth")!;
      expect(f).toMatchObject({ status: "corrupt", expectedMd5: "b5b72b4f2d00670390d3d8d4d9d2c490" });
      expect(f.md5).not.toBe(f.expectedMd5);
      expect(m.files.find((x) => x.path === "tokenizer.model")?.status).toBe("verified");
      // Verification on demand agrees, and still fails.
      const v = await admin.json<{ jobId: string }>("POST", `/api/models/${m.id}/verify`, {});
      expect((await waitFor("verify corrupt", ended(v.jobId))).error).toMatch(
        /consolidated\.00\.pth: md5 mismatch: .*\(set aside as consolidated\.00\.pth\.corrupt: download it again\)/,
      );
      await admin.json("DELETE", `/api/models/${m.id}`);
    } finally {
      cdn.options.corrupt = undefined;
    }
  });

  it("fails clearly when the link expires mid-download, and a new link resumes from the partial files", async () => {
    // Short responses force new requests, so the expiry is met mid-file as on the real CDN.
    Object.assign(cdn.options, { throttleBps: 4 * MiB, dropAfterBytes: 2 * MiB, maxDrops: Infinity });
    cdn.resetStats();
    const expiresAt = new Date(Date.now() + 4000);
    try {
      const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: cdn.signUrl(expiresAt), models: ["13B"] });
      const failed = await waitFor("expiry failure", ended(r.jobId), 60_000);
      expect(failed.status).toBe("failed");
      const at = new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString();
      expect(failed.error).toContain(`link expired at ${at}; paste a new URL to continue: downloaded bytes are kept`);
      const partial = (cdn.stats.bytesByPath["llama-2-13b/consolidated.00.pth"] ?? 0) + (cdn.stats.bytesByPath["llama-2-13b/consolidated.01.pth"] ?? 0);
      expect(partial).toBeGreaterThan(4 * MiB);
      expect(partial).toBeLessThan(2 * SHARD);

      // A Llama 2 job takes no link for another family's host.
      const llama31 = await admin.request("PUT", `/api/downloads/meta/${r.jobId}`, { url: validLink().replace(cdn.url, "https://llama3-1.llamameta.net") });
      expect(llama31.status).toBe(400);
      expect(await llama31.text()).toContain("is for Llama 3.1, not Llama 2");
      const relinked = await admin.json<{ resumed: boolean }>("PUT", `/api/downloads/meta/${r.jobId}`, { url: validLink() });
      expect(relinked.resumed).toBe(true);
      const done = await waitFor("resumed download", ended(r.jobId), 90_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      for (const shard of ["consolidated.00.pth", "consolidated.01.pth"]) {
        const served = cdn.stats.bytesByPath[`llama-2-13b/${shard}`] ?? 0;
        expect(served, shard).toBeLessThanOrEqual(1.1 * SHARD);
      }
      const m = await model(r.modelIds[0]!);
      expect(m.status).toBe("verified");
      for (const f of m.files.filter((x) => x.path.endsWith(".pth"))) expect(f.md5).toBe(md5s[f.path]);
    } finally {
      Object.assign(cdn.options, { throttleBps: undefined, dropAfterBytes: undefined, maxDrops: undefined });
    }
  });

  it("takes a new link pasted while the download runs, without stopping", async () => {
    Object.assign(cdn.options, { throttleBps: 1.5 * MiB, dropAfterBytes: 2 * MiB, maxDrops: Infinity });
    cdn.resetStats();
    const oldExpiry = Date.now() + 5000;
    try {
      const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: cdn.signUrl(new Date(oldExpiry)), models: ["13B-chat"] });
      await waitFor("bytes flowing", async () => (cdn.stats.bytesByPath["llama-2-13b-chat/consolidated.00.pth"] ?? 0) > MiB, 30_000, 20);
      const relinked = await admin.json<{ resumed: boolean }>("PUT", `/api/downloads/meta/${r.jobId}`, { url: validLink() });
      expect(relinked.resumed).toBe(false);
      const busy = await admin.request("DELETE", `/api/models/${r.modelIds[0]}`);
      expect(busy.status).toBe(409);
      expect(await busy.text()).toContain("cancel it first");
      const done = await waitFor("download on the new link", ended(r.jobId), 90_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.attempts).toBe(1);
      // It ran past the first link's expiry, so later requests used the new one.
      expect(new Date(done.finishedAt!).getTime()).toBeGreaterThan(oldExpiry);
      expect((await model(r.modelIds[0]!)).status).toBe("verified");
    } finally {
      Object.assign(cdn.options, { throttleBps: undefined, dropAfterBytes: undefined, maxDrops: undefined });
    }
  });

  it("survives kill -9 of the worker at ~30, 60 and 90 % of a 200 MB file, fetching it about once", async () => {
    cdn.options.throttleBps = 6 * MiB;
    cdn.resetStats();
    const rel = "llama-2-7b-chat/consolidated.00.pth";
    const served = () => cdn.stats.bytesByPath[rel] ?? 0;
    try {
      const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: validLink(), models: ["7B-chat"] });
      for (const fraction of [0.3, 0.6, 0.9]) {
        await waitFor(`${fraction * 100} % served`, async () => served() >= fraction * BIG, 120_000, 20);
        const victim = app.workers.at(-1)!;
        victim.child.kill("SIGKILL");
        await victim.exited;
        app.startWorker();
      }
      const done = await waitFor("download after three crashes", ended(r.jobId), 180_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.attempts).toBeGreaterThanOrEqual(4);
      expect(served()).toBeLessThanOrEqual(1.1 * BIG);
      const m = await model(r.modelIds[0]!);
      const f = m.files.find((x) => x.path === rel)!;
      expect(f).toMatchObject({ status: "verified", bytes: BIG, md5: md5s[rel] });
    } finally {
      cdn.options.throttleBps = undefined;
    }
  }, 400_000);
});

describe("Hugging Face downloads", () => {
  it("refuses before queueing a repo that does not exist, a gated repo without a token and a rejected token, leaving no job, model or credential", async () => {
    const counts = async () => ({ jobs: await db().job.count(), models: await db().model.count(), credentials: await db().credential.count() });
    const before = await counts();
    const refused = async (body: Record<string, unknown>, status: number) => {
      const res = await admin.request("POST", "/api/downloads/hf", body);
      expect(res.status).toBe(status);
      return ((await res.json()) as { error: { code: string; message: string } }).error;
    };
    expect(await refused({ repo: "nobody/no-such-model" }, 404)).toEqual({ code: "repo_not_found", message: "nobody/no-such-model does not exist on the Hub (or is private to another account)" });
    expect(await refused({ repo: GATED }, 403)).toEqual({ code: "gated", message: `this repository is gated: request access at https://huggingface.co/${GATED}` });
    expect(await refused({ repo: GATED, token: "hf_revokedToken0000000000" }, 400)).toEqual({ code: "token_rejected", message: "the Hub rejected this token" });
    expect(await counts()).toEqual(before);
  });

  it("downloads a gated repo with a token that never shows up in logs, job data or the database", async () => {
    const r = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: GATED, token: TOKEN });
    const done = await waitFor("gated with token", ended(r.jobId), 60_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");

    const m = await model(r.modelId);
    expect(m).toMatchObject({ name: GATED, source: "hf", status: "verified" });
    // Relative to DATA_DIR: each worker finds its copy in its own store.
    expect(m.directory).toBe(path.join("hf", "hub", "models--meta-llama--Llama-2-7b-hf", "snapshots", hub.commitOf(GATED)));
    const weights = m.files.find((f) => f.path === "model.safetensors")!;
    expect(weights).toMatchObject({ status: "verified", sha256: "5768b7707db7045353eecca9420b8fc308d44619afb11016cb59abc8ac508c8f" });
    expect(weights.expectedSha256).toBe(weights.sha256);
    expect(await sha256File(path.join(env.dataDir, m.directory, "model.safetensors"))).toBe(weights.sha256);
    expect(hub.stats.cdn.every((c) => !c.authorization)).toBe(true);

    // The token is nowhere but its encrypted credential.
    const logs = app.webOutput() + app.workers.map((w) => w.output()).join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(TOKEN);
    const rows = await db().job.findMany();
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    const redis = new Redis(env.redisUrl);
    try {
      const bull = await redis.hgetall(`${env.redisPrefix}:download:${r.jobId}`);
      expect(bull.data).toContain(GATED);
      expect(JSON.stringify(bull)).not.toContain(TOKEN);
    } finally {
      redis.disconnect();
    }
    const tables = ["Job", "Credential", "AuditEvent", "Model", "ModelFile"];
    for (const t of tables) expect(JSON.stringify(await db().$queryRawUnsafe(`SELECT * FROM "${t}"`), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), t).not.toContain(TOKEN);
  });

  it("marks a repo corrupt when the CDN flips a byte, and downloads it again cleanly", async () => {
    hub.options.corrupt = { sha256: BIN_SHA256, offset: 123_456 };
    let modelId: string;
    try {
      const r = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: PLAIN });
      modelId = r.modelId;
      const failed = await waitFor("corrupt hf download", ended(r.jobId));
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(new RegExp(`checksum mismatch for ${BIN_SHA256}: expected ${BIN_SHA256}, got [0-9a-f]{64}`));
      expect((await model(modelId)).status).toBe("corrupt");
    } finally {
      hub.options.corrupt = undefined;
    }
    const again = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: PLAIN });
    expect(again.modelId).toBe(modelId);
    expect((await waitFor("clean hf download", ended(again.jobId))).status).toBe("completed");
    const m = await model(modelId);
    expect(m.status).toBe("verified");
    expect(m.files.find((f) => f.path === "pytorch_model.bin")).toMatchObject({ status: "verified", sha256: BIN_SHA256 });
    await admin.json("DELETE", `/api/models/${modelId}`);
  });

  it("deletes a failed download without touching other repos in the cache", async () => {
    // A repo that does not exist is refused before queueing: this one fails on the worker, on its selection.
    const r = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: PLAIN, include: ["no-such-file.xyz"] });
    expect((await waitFor("empty selection", ended(r.jobId))).error).toMatch(/no files of tiny\/llama-bin match the selection/);
    const before = await storeFiles();
    expect(before.some((f) => f.includes("models--meta-llama--Llama-2-7b-hf/blobs/"))).toBe(true);
    await admin.json("DELETE", `/api/models/${r.modelId}`);
    expect(await storeFiles()).toEqual(before);
  });

  it("converts the safetensors snapshot to f16 and deleting both leaves no blob behind", async () => {
    const [hfModel] = (await models()).filter((m) => m.source === "hf");
    const r = await admin.json<{ jobId: string; modelId: string }>("POST", `/api/models/${hfModel!.id}/convert`, { type: "f16" });
    const done = await waitFor("convert hf", ended(r.jobId), 120_000);
    expect(done.error).toBeNull();
    const g = await model(r.modelId);
    expect(g).toMatchObject({ status: "verified", derivedFrom: { id: hfModel!.id } });
    expect(g.gguf?.fileType).toBe("F16");
    expect(g.gguf?.tensors).toHaveLength(21);
    expect(g.files[0]!.sha256).toBe(await sha256File(path.join(env.dataDir, g.directory, g.files[0]!.path)));

    for (const m of await models()) await admin.json("DELETE", `/api/models/${m.id}`);
    expect(await storeFiles()).toEqual([]);
  });
});

describe("depot CLI", () => {
  let cliEnv: NodeJS.ProcessEnv;
  const depot = (...args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(path.resolve("node_modules/.bin/tsx"), ["cli/depot.ts", ...args], { env: cliEnv, timeout: 120_000 }, (e, out, err) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
      );
    });

  beforeAll(async () => {
    const { key } = await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" });
    cliEnv = { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: key };
  });

  it("takes the family before the model ids, and says when a link is for another family", async () => {
    const elsewhere = validLink().replace(cdn.url, "https://llama3-3.llamameta.net");
    const wrong = await depot("pull", "meta", "llama-3.1", "--url", elsewhere, "--models", "Llama3.1-8B", "--no-follow");
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toContain("this link (llama3-3.llamameta.net) is for Llama 3.3, not Llama 3.1");
    // No family: the link's host picks Llama 3.3, which has no such model.
    const inferred = await depot("pull", "meta", "--url", elsewhere, "--models", "Llama3.1-8B", "--no-follow");
    expect(inferred.err).toContain("unknown model Llama3.1-8B; known: Llama3.3-70B-Instruct");
  });

  it("pulls, lists, verifies and removes a model through the server", async () => {
    const pull = await depot("pull", "meta", "--url", validLink(), "--models", "7B");
    expect(pull.code, pull.err).toBe(0);
    expect(pull.err).toMatch(/started job download-meta-7b--/);

    const list = await depot("models", "--json");
    expect(list.code, list.err).toBe(0);
    const listed = JSON.parse(list.out) as ModelDto[];
    expect(listed.map((m) => [m.name, m.status])).toEqual([["llama-2-7b", "verified"]]);

    const verify = await depot("verify", "llama-2-7b");
    expect(verify.code, verify.err).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ status: "verified" });

    const rmOut = await depot("rm", "llama-2-7b");
    expect(rmOut.code, rmOut.err).toBe(0);
    expect(rmOut.out).toMatch(/deleted llama-2-7b: [\d.]+ MiB freed/);
    expect(await models()).toEqual([]);
  });

  it("verifies a plain folder without a server, and fails on a flipped byte", async () => {
    const dir = path.join(work, "local");
    await buildMetaTree(dir);
    const ok = await depot("verify", dir);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("OK   llama-2-7b/consolidated.00.pth");
    expect(ok.out).toContain("OK   tokenizer.model");

    const shard = path.join(dir, "llama-2-7b/consolidated.00.pth");
    const bytes = await readFile(shard);
    bytes[1000] = bytes[1000]! ^ 0xff;
    await rm(shard);
    await writeFile(shard, bytes);
    const bad = await depot("verify", dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL llama-2-7b\/consolidated\.00\.pth \(md5 expected b5b72b4f2d00670390d3d8d4d9d2c490, got [0-9a-f]{32}\)/);
    expect(bad.err).toContain("1 of 3 files failed verification");
  });
});

describe("a Meta download of several models", () => {
  it("shares the tokenizer between them: deleting one keeps what the other needs, the last one takes everything", async () => {
    const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: validLink(), models: ["7B", "13B-chat"] });
    expect(r.jobId).toMatch(/^download-meta-7b_13b-chat--/);
    const done = await waitFor("two-model download", ended(r.jobId), 60_000);
    expect(done.error).toBeNull();
    const [seven, thirteen] = await Promise.all(r.modelIds.map(model));
    expect([seven!.name, thirteen!.name]).toEqual(["llama-2-7b", "llama-2-13b-chat"]);
    expect(thirteen!.files.map((f) => f.path)).toContain("tokenizer.model");
    expect(thirteen!.files.map((f) => f.path)).not.toContain("llama-2-7b/consolidated.00.pth");

    await admin.json("DELETE", `/api/models/${seven!.id}`);
    const v = await admin.json<{ jobId: string }>("POST", `/api/models/${thirteen!.id}/verify`, {});
    expect((await waitFor("verify the survivor", ended(v.jobId))).status).toBe("completed");
    expect((await storeFiles()).filter((f) => f.includes("llama-2-7b/"))).toEqual([]);

    await admin.json("DELETE", `/api/models/${thirteen!.id}`);
    expect(await storeFiles()).toEqual([]);
  });
});

describe("Llama 3.x downloads", () => {
  const FOLDER = "Llama-3.1-8B-Instruct";

  it("from Meta: lands in the model's own folder, verified by its checklist, registered as Llama 3.1", async () => {
    const r = await admin.json<{ jobId: string; modelIds: string[] }>("POST", "/api/downloads/meta", { url: validLink(), family: "llama-3.1", models: ["Llama3.1-8B-Instruct"] });
    expect(r.jobId).toMatch(/^download-meta-llama3\.1-8b-instruct--/);
    const done = await waitFor("Llama 3.1 download", ended(r.jobId), 60_000);
    expect(done.error).toBeNull();
    const m = await model(r.modelIds[0]!);
    expect(m).toMatchObject({ name: FOLDER, source: "meta", format: "meta", status: "verified", repo: "Llama3.1-8B-Instruct" });
    expect((await db().model.findUnique({ where: { id: m.id } }))?.family).toBe("llama-3.1");
    expect(m.metadata?.params).toMatchObject({ dim: 64, use_scaled_rope: true });
    expect(m.files.map((f) => f.path).sort()).toEqual(Object.keys(llama3Md5s).sort());
    for (const rel of ["tokenizer.model", "params.json", "consolidated.00.pth"].map((f) => `${FOLDER}/${f}`)) {
      expect(m.files.find((f) => f.path === rel), rel).toMatchObject({ status: "verified", md5: llama3Md5s[rel], expectedMd5: llama3Md5s[rel] });
    }
    expect((await storeFiles()).filter((f) => f.startsWith(path.join("meta", "llama3.1-8b-instruct")))).toEqual(
      Object.keys(llama3Md5s).sort().map((rel) => path.join("meta", "llama3.1-8b-instruct", rel)),
    );
    await admin.json("DELETE", `/api/models/${m.id}`);
  });

  it("from Meta: a link for another family's host, a model of another family, or an expired link is a clear 400", async () => {
    const elsewhere = validLink().replace(cdn.url, "https://llama3-3.llamameta.net");
    const post = (body: Record<string, unknown>) => admin.request("POST", "/api/downloads/meta", body).then(async (res) => ({ status: res.status, body: (await res.json()) as { error: { code: string; message: string } } }));
    expect(await post({ url: elsewhere, family: "llama-3.1", models: ["Llama3.1-8B"] })).toMatchObject({
      status: 400,
      body: { error: { code: "wrong_family", message: expect.stringContaining("is for Llama 3.3, not Llama 3.1") } },
    });
    expect(await post({ url: validLink(), family: "llama-3.1", models: ["7B"] })).toMatchObject({
      status: 400,
      body: { error: { code: "unknown_model", message: expect.stringContaining("unknown model 7B; known: Llama3.1-8B,") } },
    });
    expect(await post({ url: cdn.signUrl(new Date(Date.now() - 1000)), family: "llama-3.1", models: ["Llama3.1-8B"] })).toMatchObject({
      status: 400,
      body: { error: { code: "expired" } },
    });
    expect((await db().model.findMany({ where: { family: "llama-3.1" } })).map((x) => x.name)).toEqual([]);
  });

  it("from Hugging Face: the safetensors form only, never original/, registered as an hf checkpoint of Llama 3.1", async () => {
    const r = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: LLAMA3_HF });
    const done = await waitFor("Llama 3.1 from the Hub", ended(r.jobId), 60_000);
    expect(done.error).toBeNull();
    const m = await model(r.modelId);
    expect(m).toMatchObject({ name: LLAMA3_HF, source: "hf", format: "hf", status: "verified" });
    expect((await db().model.findUnique({ where: { id: m.id } }))?.family).toBe("llama-3.1");
    expect(m.files.map((f) => f.path).sort()).toEqual([
      "config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json",
    ]);
    expect((await storeFiles()).filter((f) => f.includes("models--meta-llama--Llama-3.1-8B-Instruct") && f.includes("original"))).toEqual([]);
    await admin.json("DELETE", `/api/models/${m.id}`);
  });
});
