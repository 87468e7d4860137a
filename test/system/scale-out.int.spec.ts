import { execFile } from "node:child_process";
import { mkdtemp, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import type { JobDto } from "../../lib/jobs/job-dto";
import type { ModelDetailDto } from "../../lib/models/model-dto";
import { storeLane } from "../../lib/queue/names";
import { closeQueues, queue } from "../../lib/queue/queues";
import type { RunDto } from "../../lib/runs/run-dto";
import type { StoreDto } from "../../lib/stores/replicas";
import { storeIdOf } from "../../lib/stores/store-id";
import { signIn, type TestClient } from "../helpers/http-client";
import { startApp, type AppHandle, type WorkerHandle } from "../helpers/start-app";
import { setupTestEnv, type TestEnv } from "../helpers/test-env";
import { registerTinyModel, TINY_HF_DIR } from "../helpers/tiny-gguf";
import { waitFor } from "../helpers/wait-for";
import { startHfHub, type HfHub } from "../servers/hf-hub";

// Scale-out: two worker processes on one machine, each with its own DATA_DIR (model store), one web server, one
// database (PostgreSQL in the PostgreSQL pass) and one Redis. Jobs must reach only the workers that can do them.

const REPO = "tiny/llama-hf";
let env: TestEnv;
let app: AppHandle;
let hub: HfHub;
let admin: TestClient;
const dirs = { a: "", b: "" };
const stores = { a: "", b: "" };
let workerB: WorkerHandle;

const startB = () => app.startWorker({ DATA_DIR: dirs.b, WORKER_NAME: "worker-b" });
const job = async (id: string) => (await admin.json<{ job: JobDto }>("GET", `/api/jobs/${id}`)).job;
const ended = (id: string) => async () => {
  const j = await job(id);
  return ["completed", "failed", "cancelled"].includes(j.status) ? j : null;
};
const model = async (id: string) => (await admin.json<{ model: ModelDetailDto }>("GET", `/api/models/${id}`)).model;
const holders = async (id: string) => (await model(id)).holders.map((h) => h.storeId).sort();
const run = async (id: string) => admin.json<RunDto>("GET", `/api/runs/${id}`);
const newRun = async (modelName: string, n: number, maxTokens = 4) =>
  (
    await admin.json<{ id: string }>("POST", "/api/runs", {
      model: modelName,
      mode: "completion",
      params: { maxTokens, temperature: 0 },
      upload: { format: "lines", content: Array.from({ length: n }, (_, i) => `prompt number ${i}`).join("\n") },
    })
  ).id;
/** Which workers ran (last started) each item of a run. */
const itemWorkers = async (runId: string) => {
  const items = await db().runItem.findMany({ where: { runId }, select: { jobId: true } });
  const jobs = await db().job.findMany({ where: { id: { in: items.map((i) => i.jobId!) } }, select: { workerName: true, attempts: true, lane: true } });
  return jobs;
};
const onlineStores = async () => (await admin.json<{ stores: StoreDto[] }>("GET", "/api/stores")).stores.filter((s) => s.online);
const filesUnder = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true }).catch(() => [])).map(String);

beforeAll(async () => {
  env = await setupTestEnv();
  hub = await startHfHub({ repos: [{ name: REPO, dir: TINY_HF_DIR }] });
  dirs.a = await mkdtemp(path.join(os.tmpdir(), "depot-store-a-"));
  dirs.b = await mkdtemp(path.join(os.tmpdir(), "depot-store-b-"));
  // The web server has a DATA_DIR of its own (env.dataDir): it holds no models.
  app = await startApp(env, { workers: 0, extraEnv: { HF_ENDPOINT: hub.url, INFERENCE_SEQUENCES: "2" } });
  app.startWorker({ DATA_DIR: dirs.a, WORKER_NAME: "worker-a" });
  workerB = startB();
  admin = await signIn(app.baseUrl, "admin@example.com", "admin");
  await waitFor("both workers online", async () => (await onlineStores()).length === 2, 60_000);
  stores.a = await storeIdOf(dirs.a);
  stores.b = await storeIdOf(dirs.b);
});

afterAll(async () => {
  await app?.stop();
  await hub?.stop();
  await closeQueues();
  await closeDb();
});

describe("several workers, each with its own model store", () => {
  it("gives each DATA_DIR its own store id, reported by its worker", async () => {
    expect(stores.a).not.toBe(stores.b);
    const byStore = Object.fromEntries((await onlineStores()).map((s) => [s.storeId, s.workers.map((w) => w.name)]));
    expect(byStore).toEqual({ [stores.a]: ["worker-a"], [stores.b]: ["worker-b"] });
    // Each store collects its own garbage daily.
    for (const id of [stores.a, stores.b]) expect(await queue("maintenance", storeLane(id)).getJobScheduler("gc-daily")).toMatchObject({ pattern: "0 3 * * *" });
  });

  let hfModel: string;
  it("downloads to the worker it is aimed at, into that worker's store only", async () => {
    const r = await admin.json<{ jobId: string; modelId: string }>("POST", "/api/downloads/hf", { repo: REPO, storeId: stores.b });
    hfModel = r.modelId;
    const done = await waitFor("download on worker-b", ended(r.jobId), 60_000);
    expect(done.status, done.error ?? "").toBe("completed");
    expect(done.worker).toBe("worker-b");
    expect(await holders(hfModel)).toEqual([stores.b]);
    expect((await filesUnder(path.join(dirs.b, "hf"))).some((f) => f.endsWith("model.safetensors"))).toBe(true);
    expect(await filesUnder(path.join(dirs.a, "hf"))).toEqual([]);
    const detail = await model(hfModel);
    expect(detail.holders[0]!.workers).toEqual([{ name: "worker-b", online: true }]);
  });

  let q8: { modelId: string; name: string };
  it("converts on a worker that holds the source, refusing one that does not", async () => {
    const refused = await admin.request("POST", `/api/models/${hfModel}/convert`, { type: "q8_0", storeId: stores.a });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/not on that worker/);

    const r = await admin.json<{ jobId: string; modelId: string; name: string }>("POST", `/api/models/${hfModel}/convert`, { type: "q8_0" });
    q8 = r;
    const done = await waitFor("convert on worker-b", ended(r.jobId), 120_000);
    expect(done.status, done.error ?? "").toBe("completed");
    expect(done.worker).toBe("worker-b");
    expect(await holders(r.modelId)).toEqual([stores.b]);
    expect((await stat(path.join(dirs.b, "gguf", r.name, `${r.name}.gguf`))).size).toBeGreaterThan(0);
    expect(await filesUnder(path.join(dirs.a, "gguf"))).toEqual([]);
  });

  it("copies a model to a second worker by downloading it there", async () => {
    const r = await admin.json<{ jobId: string }>("POST", "/api/downloads/hf", { repo: REPO, storeId: stores.a });
    const done = await waitFor("copy to worker-a", ended(r.jobId), 60_000);
    expect(done.status, done.error ?? "").toBe("completed");
    expect(done.worker).toBe("worker-a");
    expect(await holders(hfModel)).toEqual([stores.a, stores.b].sort());
    expect((await model(hfModel)).status).toMatch(/ready|verified/);

    const { key } = await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" });
    const out = await new Promise<string>((resolve, reject) =>
      execFile(path.resolve("node_modules/.bin/tsx"), ["cli/depot.ts", "models"], { env: { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: key } }, (e, stdout, stderr) =>
        e ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    expect(out.split("\n").find((l) => l.startsWith(REPO))).toMatch(/worker-(a, worker-b|b, worker-a)$/);
  });

  it("converts again on the second worker, giving it the same GGUF", async () => {
    const again = await admin.request("POST", `/api/models/${hfModel}/convert`, { type: "q8_0", storeId: stores.b });
    expect(again.status).toBe(409); // worker-b has it already

    const r = await admin.json<{ jobId: string; modelId: string }>("POST", `/api/models/${hfModel}/convert`, { type: "q8_0", storeId: stores.a });
    expect(r.modelId).toBe(q8.modelId);
    const done = await waitFor("convert on worker-a", ended(r.jobId), 120_000);
    expect(done.status, done.error ?? "").toBe("completed");
    expect(done.worker).toBe("worker-a");
    expect(await holders(q8.modelId)).toEqual([stores.a, stores.b].sort());
    const file = (await model(q8.modelId)).files[0]!;
    expect(file.status).toBe("verified");
    expect((await stat(path.join(dirs.a, "gguf", q8.name, file.path))).size).toBe(file.bytes);
  });

  it("sends a model's inference only to the workers whose store holds it", async () => {
    const onlyA = await registerTinyModel({ dataDir: dirs.a, name: "only-on-a" });
    const runId = await newRun(onlyA.name, 8);
    await waitFor("run on worker-a", async () => (await run(runId)).status === "completed", 90_000);
    const jobs = await itemWorkers(runId);
    expect(jobs).toHaveLength(8);
    expect(new Set(jobs.map((j) => j.workerName))).toEqual(new Set(["worker-a"]));
    expect(new Set(jobs.map((j) => j.lane))).toEqual(new Set([`m-${onlyA.id}`]));
  });

  it("hands a killed worker's inference jobs to the other worker holding the model", async () => {
    const both = await registerTinyModel({ dataDir: dirs.a, alsoIn: [dirs.b], name: "on-both" });
    // Long items, so worker-b is still in the middle of some when it is killed.
    const runId = await newRun(both.name, 30, 48);
    await waitFor("worker-b running items", async () => (await db().job.count({ where: { lane: `m-${both.id}`, status: "active", workerName: "worker-b" } })) > 0, 60_000);
    const onB = (await db().job.findMany({ where: { lane: `m-${both.id}`, status: "active", workerName: "worker-b" } })).map((j) => j.id);
    workerB.child.kill("SIGKILL");
    await workerB.exited;

    await waitFor("run completes on worker-a", async () => (await run(runId)).status === "completed", 180_000);
    const r = await run(runId);
    expect(r.counts.completed).toBe(30);
    const taken = await db().job.findMany({ where: { id: { in: onB } } });
    expect(taken.length).toBeGreaterThan(0);
    for (const j of taken) {
      expect(j.status).toBe("completed");
      expect(j.workerName).toBe("worker-a");
      expect(j.attempts).toBe(2); // started on worker-b, then again on worker-a
    }
  });

  it("leaves jobs for a model only the dead worker holds waiting, with the reason shown, until it returns", async () => {
    const onlyB = await registerTinyModel({ dataDir: dirs.b, name: "only-on-b" });
    await waitFor("worker-b seen offline", async () => !(await onlineStores()).some((s) => s.storeId === stores.b), 30_000);

    const runId = await newRun(onlyB.name, 3);
    const blocked = await waitFor("blocked reason", async () => (await run(runId)).blockedReason, 10_000);
    expect(blocked).toBe("no online worker holds only-on-b (held by worker-b, offline)");
    const jobs = (await admin.json<{ jobs: JobDto[] }>("GET", "/api/jobs?queue=inference")).jobs.filter((j) => j.lane === `m-${onlyB.id}`);
    expect(jobs).toHaveLength(3);
    for (const j of jobs) {
      expect(j.status).toBe("waiting");
      expect(j.blockedReason).toBe("waiting: no online worker holds only-on-b (held by worker-b, offline)");
    }
    // worker-a, online all along, never takes them.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await run(runId)).counts.pending).toBe(3);

    // A job aimed at the dead worker's store (a verify of its copy) waits with its reason too.
    const verify = await admin.json<{ jobId: string }>("POST", `/api/models/${hfModel}/verify`, { storeId: stores.b });
    expect((await job(verify.jobId)).blockedReason).toBe("waiting: the worker it is aimed at is offline (worker-b)");

    workerB = startB();
    await waitFor("run completes once worker-b is back", async () => (await run(runId)).status === "completed", 90_000);
    expect(new Set((await itemWorkers(runId)).map((j) => j.workerName))).toEqual(new Set(["worker-b"]));
    expect((await run(runId)).blockedReason).toBeNull();
    const verified = await waitFor("verify on worker-b", ended(verify.jobId), 60_000);
    expect([verified.status, verified.worker]).toEqual(["completed", "worker-b"]);
  });

  it("deletes a model's copies in every store, the offline ones when their worker returns", async () => {
    const r = await admin.json<{ bytesFreed: number; pendingOn: string[] }>("DELETE", `/api/models/${hfModel}`);
    expect(r.pendingOn.sort()).toEqual(["worker-a", "worker-b"]);
    await waitFor("copies deleted", async () => {
      const left = [...(await filesUnder(path.join(dirs.a, "hf"))), ...(await filesUnder(path.join(dirs.b, "hf")))];
      return !left.some((f) => f.includes("models--tiny--llama-hf"));
    }, 30_000);
  });
});
