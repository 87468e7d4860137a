import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../db/prisma";
import type { JobDto } from "../jobs/job-dto";
import { createUser } from "../users/create-user";
import { copyGgufWith } from "../../test/helpers/gguf-copy";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { waitFor } from "../../test/helpers/wait-for";
import { startHfHub, type HfHub } from "../../test/servers/hf-hub";
import { buildHfGgufRepo, GGUF_REPO_SPLIT } from "../../test/servers/hf-gguf-repo";
import type { ModelDetailDto } from "./model-dto";

// Ready-made GGUFs end to end: the built web server and a worker pull them from the test Hub (by quant tag, or a
// split set by its first part) or import them from IMPORT_DIRS, and they answer through `depot generate` and /v1.

const REPO = "test-org/tiny-llama-GGUF";
let env: TestEnv;
let app: AppHandle;
let admin: TestClient;
let member: TestClient;
let hub: HfHub;
let work: string;
let repoDir: string;
let importDir: string;
let shmDir: string;
let ref: TinyRef;
let cliEnv: NodeJS.ProcessEnv;
let apiKey: string;

const depot = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(path.resolve("node_modules/.bin/tsx"), ["cli/depot.ts", ...args], { env: cliEnv, timeout: 180_000 }, (e, out, err) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
const generate = async (model: string, prompt: string, n: number) => {
  const r = await depot("generate", model, "-p", prompt, "-n", String(n), "-t", "0", "--json");
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out.trim().split("\n").at(-1)!) as { tokens: number[] };
};
const sha256 = async (f: string) => createHash("sha256").update(await readFile(f)).digest("hex");
const model = async (id: string) => (await admin.json<{ model: ModelDetailDto }>("GET", `/api/models/${id}`)).model;
const modelByName = async (name: string) => {
  const { models } = await admin.json<{ models: { id: string; name: string }[] }>("GET", "/api/models");
  return models.find((m) => m.name === name);
};
const ended = (id: string) => async () => {
  const j = (await admin.json<{ job: JobDto }>("GET", `/api/jobs/${id}`)).job;
  return ["completed", "failed", "cancelled"].includes(j.status) ? j : null;
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-hub-gguf-"));
  repoDir = path.join(work, "repo");
  await buildHfGgufRepo(repoDir);
  // As on the Hub: a model card beside the GGUFs, which a glob may match too.
  await writeFile(path.join(repoDir, "README.md"), "# tiny-llama-GGUF\n");
  ref = await tinyRef();
  hub = await startHfHub({ repos: [{ name: REPO, dir: repoDir }] });
  // Two import folders: one on the store's filesystem (hard link), one on tmpfs (another filesystem: a copy).
  importDir = path.join(work, "imports");
  shmDir = await mkdtemp(path.join("/dev/shm", "depot-import-"));
  await mkdir(importDir, { recursive: true });
  await copyFile(path.join(repoDir, "tiny-llama-F16.gguf"), path.join(importDir, "tiny-import-F16.gguf"));
  await copyFile(path.join(repoDir, "tiny-llama-Q4_0.gguf"), path.join(shmDir, "tiny-shm-Q4_0.gguf"));
  await copyGgufWith({ src: path.join(repoDir, "tiny-llama-Q4_0.gguf"), out: path.join(importDir, "alien.gguf"), set: { "general.architecture": "notallama9000" } });
  // A split set side by side in a subfolder, and a set whose second part is missing.
  await mkdir(path.join(importDir, "split"));
  for (const f of GGUF_REPO_SPLIT) await copyFile(path.join(repoDir, f), path.join(importDir, "split", f));
  await copyFile(path.join(repoDir, GGUF_REPO_SPLIT[0]!), path.join(importDir, "broken-00001-of-00002.gguf"));
  await copyFile(path.join(repoDir, "tiny-llama-Q4_0.gguf"), path.join(work, "secret.gguf"));
  await symlink(path.join(work, "secret.gguf"), path.join(importDir, "escape.gguf"));
  env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url, IMPORT_DIRS: `${importDir},${shmDir}` } });
  await createUser({ email: "admin@example.com", name: "admin", password: "quartz-ember-tide-42", role: "admin" });
  admin = new TestClient(app.baseUrl);
  await admin.login("admin@example.com", "quartz-ember-tide-42");
  await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  member = new TestClient(app.baseUrl);
  await member.login("member@example.com", "quartz-ember-tide-42");
  apiKey = (await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" })).key;
  cliEnv = { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: apiKey, INFERENCE_THREADS: "1" };
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await hub?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
  if (shmDir) await rm(shmDir, { recursive: true, force: true });
});

describe("GGUFs from the Hub", () => {
  let q8Tokens: number[];

  it("lists the repo's GGUFs by quant with sizes, the split set as one", async () => {
    const r = await member.json<{ ggufs: { quant: string | null; stem: string; bytes: number; files: { path: string }[] }[] }>(
      "GET", `/api/downloads/hf/ggufs?repo=${encodeURIComponent(REPO)}`,
    );
    const sizes = async (f: string) => (await stat(path.join(repoDir, f))).size;
    expect(r.ggufs.map((g) => [g.quant, g.bytes])).toEqual([
      ["BF16", await sizes("tiny-llama-BF16.gguf")],
      ["F16", await sizes("tiny-llama-F16.gguf")],
      ["Q4_0", await sizes("tiny-llama-Q4_0.gguf")],
      ["Q8_0", await sizes("tiny-llama-Q8_0.gguf")],
      [null, (await sizes(GGUF_REPO_SPLIT[0]!)) + (await sizes(GGUF_REPO_SPLIT[1]!))],
    ]);
    expect(r.ggufs.at(-1)!.files.map((f) => f.path)).toEqual(GGUF_REPO_SPLIT);
  });

  it("depot pull hf repo:q8_0 fetches only that file, verified, registered as a runnable gguf model that generates", async () => {
    const before = hub.stats.cdn.length;
    const pull = await depot("pull", "hf", `${REPO}:q8_0`);
    expect(pull.code, pull.err).toBe(0);
    const q8sha = await sha256(path.join(repoDir, "tiny-llama-Q8_0.gguf"));
    expect([...new Set(hub.stats.cdn.slice(before).map((c) => c.path))]).toEqual([expect.stringContaining(q8sha)]);
    const m = await model((await modelByName(`${REPO}:Q8_0`))!.id);
    expect(m).toMatchObject({ format: "gguf", source: "hf", status: "verified", repo: REPO, revision: "main" });
    expect(m.files.map((f) => [f.path, f.status, f.sha256])).toEqual([["tiny-llama-Q8_0.gguf", "verified", q8sha]]);
    expect(m.metadata).toMatchObject({ architecture: "llama", architectureSupported: true, fileType: "Q8_0", commit: hub.commitOf(REPO), splitCount: 1 });
    expect((m.metadata as { contextLength: number }).contextLength).toBeGreaterThan(0);
    q8Tokens = (await generate(`${REPO}:Q8_0`, ref.prompts[0]!.prompt, 12)).tokens;
    expect(q8Tokens).toHaveLength(12);
  }, 240_000);

  it("an unknown quant tag, or no pick at all in a GGUF repo, is refused naming the GGUFs there", async () => {
    const r = await admin.json<{ jobId: string }>("POST", "/api/downloads/hf", { repo: REPO, quant: "Q5_K_M" });
    const j = await waitFor("failed pull", ended(r.jobId), 60_000);
    expect(j.status).toBe("failed");
    expect(j.error).toContain("has no GGUF tagged Q5_K_M (quant tags there: BF16, F16, Q4_0, Q8_0)");
    const plain = await depot("pull", "hf", REPO);
    expect(plain.code).not.toBe(0);
    expect(plain.err).toContain(`it holds GGUFs: pick one as ${REPO}:<quant> or --include <file> (BF16, F16, Q4_0, Q8_0, ${GGUF_REPO_SPLIT[0]})`);
  }, 120_000);

  it("the split set downloads whole from its first part, loads from part 1 and generates what the single file does", async () => {
    const pull = await depot("pull", "hf", REPO, "--include", GGUF_REPO_SPLIT[0]!);
    expect(pull.code, pull.err).toBe(0);
    const m = await model((await modelByName(`${REPO}:tiny-llama-split`))!.id);
    expect(m).toMatchObject({ format: "gguf", status: "verified" });
    expect(m.files.map((f) => f.path)).toEqual(GGUF_REPO_SPLIT);
    expect(m.metadata).toMatchObject({ splitCount: 2, fileType: "Q8_0" });
    // The parts hold the Q8_0 file's tensors: the same greedy tokens.
    expect((await generate(`${REPO}:tiny-llama-split`, ref.prompts[0]!.prompt, 12)).tokens).toEqual(q8Tokens);
  }, 240_000);

  it("a glob --include that matches only GGUFs pulls each matched GGUF as its own runnable model, not a checkpoint", async () => {
    // *F16* matches tiny-llama-F16.gguf and tiny-llama-BF16.gguf, nothing else of the repo.
    const pull = await depot("pull", "hf", REPO, "--include", "*F16*");
    expect(pull.code, pull.err).toBe(0);
    expect(pull.err).toMatch(new RegExp(`started job .* \\(${REPO}:BF16\\)[\\s\\S]*started job .* \\(${REPO}:F16\\)`));
    for (const [quant, file] of [["F16", "tiny-llama-F16.gguf"], ["BF16", "tiny-llama-BF16.gguf"]] as const) {
      const m = await model((await modelByName(`${REPO}:${quant}`))!.id);
      expect(m, quant).toMatchObject({ format: "gguf", source: "hf", status: "verified" });
      expect(m.files.map((f) => [f.path, f.sha256])).toEqual([[file, await sha256(path.join(repoDir, file))]]);
      expect(m.metadata).toMatchObject({ architecture: "llama", fileType: quant });
    }
    expect(await modelByName(REPO)).toBeUndefined();
    expect((await generate(`${REPO}:F16`, ref.prompts[0]!.prompt, 4)).tokens).toHaveLength(4);
  }, 240_000);

  it("a glob that also matches other files stays a checkpoint download of what it matches", async () => {
    const r = await admin.json<{ jobId: string; modelId: string; jobs?: unknown }>("POST", "/api/downloads/hf", { repo: REPO, include: ["*.md"] });
    expect(r.jobs).toBeUndefined();
    expect(await model(r.modelId)).toMatchObject({ name: REPO, format: "hf" });
    await waitFor("the checkpoint pull", ended(r.jobId), 60_000);
    await admin.json("DELETE", `/api/models/${r.modelId}`);
  }, 120_000);

  it("deleting one GGUF of a snapshot frees its blob and keeps the other model's files", async () => {
    const q8 = await model((await modelByName(`${REPO}:Q8_0`))!.id);
    const r = await admin.json<{ bytesFreed: number }>("DELETE", `/api/models/${q8.id}`);
    expect(r.bytesFreed).toBe((await stat(path.join(repoDir, "tiny-llama-Q8_0.gguf"))).size);
    const split = await model((await modelByName(`${REPO}:tiny-llama-split`))!.id);
    for (const f of split.files) expect((await stat(path.join(env.dataDir, split.directory, f.path))).isFile()).toBe(true);
    expect((await generate(split.name, ref.prompts[0]!.prompt, 4)).tokens).toEqual(q8Tokens.slice(0, 4));
  }, 120_000);
});

describe("Import from IMPORT_DIRS", () => {
  it("lists the GGUFs of the configured folders to admins only, without a link that leaves its folder", async () => {
    expect((await member.request("GET", "/api/models/import")).status).toBe(403);
    const { files } = await admin.json<{ files: { path: string }[] }>("GET", "/api/models/import");
    expect(files.map((f) => f.path)).toEqual(
      [
        path.join(importDir, "alien.gguf"),
        path.join(importDir, "broken-00001-of-00002.gguf"),
        path.join(importDir, "split", GGUF_REPO_SPLIT[0]!),
        path.join(importDir, "tiny-import-F16.gguf"),
        path.join(shmDir, "tiny-shm-Q4_0.gguf"),
      ].sort(),
    );
    // The split set is one entry with both parts; the broken set is listed as incomplete.
    expect(files.find((f) => f.path.endsWith(GGUF_REPO_SPLIT[0]!))).toMatchObject({ parts: GGUF_REPO_SPLIT.map((p) => path.join(importDir, "split", p)), complete: true });
    expect(files.find((f) => f.path.includes("broken"))).toMatchObject({ complete: false });
  });

  it("imports a split set from its first part: every part linked, one model that loads from part 1", async () => {
    const first = path.join(importDir, "split", GGUF_REPO_SPLIT[0]!);
    const r = await admin.json<{ id: string; name: string; how: string }>("POST", "/api/models/import", { path: first });
    expect(r).toMatchObject({ name: "tiny-llama-split", how: "link" });
    const m = await model(r.id);
    expect(m).toMatchObject({ format: "gguf", status: "ready" });
    expect(m.files.map((f) => f.path)).toEqual(GGUF_REPO_SPLIT);
    expect(m.metadata).toMatchObject({ splitCount: 2, fileType: "Q8_0" });
    for (const f of GGUF_REPO_SPLIT) expect((await stat(path.join(env.dataDir, m.directory, f))).ino).toBe((await stat(path.join(importDir, "split", f))).ino);
    // The same tensors as the Hub's split set: the same greedy tokens.
    const p = ref.prompts[0]!.prompt;
    expect((await generate(r.name, p, 6)).tokens).toEqual((await generate(`${REPO}:tiny-llama-split`, p, 6)).tokens);
  }, 240_000);

  it("refuses a later part of a split set and a set with a part missing; nothing is registered", async () => {
    for (const [p, msg] of [
      [path.join(importDir, "split", GGUF_REPO_SPLIT[1]!), `is part 2 of a split set: import its first part, ${GGUF_REPO_SPLIT[0]}`],
      [path.join(importDir, "broken-00001-of-00002.gguf"), "the split set broken misses 1 of its 2 parts: broken-00002-of-00002.gguf"],
    ]) {
      const res = await admin.request("POST", "/api/models/import", { path: p, name: "never-registered" });
      const body = (await res.json()) as { error: { message: string } };
      expect(res.status, p).toBe(400);
      expect(body.error.message).toContain(msg);
    }
    expect(await modelByName("never-registered")).toBeUndefined();
    expect(await modelByName("broken")).toBeUndefined();
  });

  it("imports by hard link on the same filesystem (same inode) and by copy across filesystems; both run", async () => {
    const src = path.join(importDir, "tiny-import-F16.gguf");
    const a = await admin.json<{ id: string; name: string; how: string }>("POST", "/api/models/import", { path: src });
    expect(a.how).toBe("link");
    const m = await model(a.id);
    expect(m).toMatchObject({ format: "gguf", status: "ready" });
    expect(m.metadata).toMatchObject({ architecture: "llama", fileType: "F16" });
    const stored = path.join(env.dataDir, m.directory, "tiny-import-F16.gguf");
    expect((await stat(stored)).ino).toBe((await stat(src)).ino);

    const b = await admin.json<{ id: string; how: string }>("POST", "/api/models/import", { path: path.join(shmDir, "tiny-shm-Q4_0.gguf") });
    expect(b.how).toBe("copy");
    const mb = await model(b.id);
    expect(await sha256(path.join(env.dataDir, mb.directory, "tiny-shm-Q4_0.gguf"))).toBe(await sha256(path.join(shmDir, "tiny-shm-Q4_0.gguf")));

    // The f16 conversion gives transformers' greedy tokens.
    const p = ref.prompts[0]!;
    expect((await generate(a.name, p.prompt, p.generated_ids.length)).tokens).toEqual(p.generated_ids);
    const client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey, maxRetries: 0 });
    const ids = (await client.models.list()).data.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining([a.name, "tiny-shm-Q4_0", `${REPO}:tiny-llama-split`]));
    const c = await client.completions.create({ model: "tiny-shm-Q4_0", prompt: p.prompt, max_tokens: 4, temperature: 0 });
    expect(c.usage?.completion_tokens).toBe(4);
  }, 240_000);

  it("refuses a link pointing outside, a .. path, an unconfigured folder and a non-admin; nothing is registered", async () => {
    const refused = async (p: string, code: string, msg: string) => {
      const res = await admin.request("POST", "/api/models/import", { path: p });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([res.status, body.error.code], p).toEqual([400, code]);
      expect(body.error.message).toContain(msg);
    };
    await refused(path.join(importDir, "escape.gguf"), "outside_import_dir", `resolves to ${path.join(work, "secret.gguf")}`);
    await refused(`${importDir}/../secret.gguf`, "bad_path", "paths with .. are refused");
    await refused(path.join(work, "secret.gguf"), "not_import_dir", "is not inside a folder of IMPORT_DIRS");
    expect((await member.request("POST", "/api/models/import", { path: path.join(importDir, "tiny-import-F16.gguf") })).status).toBe(403);
    expect(await modelByName("secret")).toBeUndefined();
    expect(await modelByName("escape")).toBeUndefined();
  });

  it("registers an architecture the bundled llama.cpp lacks, says so, and refuses to run it with a clear message", async () => {
    const r = await admin.json<{ id: string; name: string }>("POST", "/api/models/import", { path: path.join(importDir, "alien.gguf") });
    expect((await model(r.id)).metadata).toMatchObject({ architecture: "notallama9000", architectureSupported: false });
    const gen = await depot("generate", r.name, "-p", "hi", "-n", "2", "--json");
    expect(gen.code).not.toBe(0);
    expect(gen.err).toContain("architecture notallama9000, which the bundled llama.cpp does not support");
  }, 120_000);
});
