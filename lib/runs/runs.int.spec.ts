import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb, db } from "../db/prisma";
import { ModelResidency } from "../inference/residency";
import { runGeneration } from "../inference/run-generation";
import { samplingParams } from "../generation/sampling";
import { createUser } from "../users/create-user";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { registerTinyModel, tinyGguf, tinyRef } from "../../test/helpers/tiny-gguf";
import { waitFor } from "../../test/helpers/wait-for";
import type { RunDto } from "./run-dto";

let env: TestEnv;
let app: AppHandle;
let member: TestClient;
let memberKey: string;
let viewer: TestClient;
let llama: Llama;
let model: { id: string; name: string };

// The fixture's six reference prompts, cycled: their greedy steps have known clear logit margins (ref.json), so
// an output can be compared token for token however llama.cpp groups the sequences into batches. (On prompts
// without known margins, a near-tie late in a random model's output may flip with float summation order.)
let prompts: string[];
const jsonl = (maxItems = prompts.length) => prompts.slice(0, maxItems).map((p, i) => JSON.stringify({ id: `p${i}`, prompt: p, metadata: { i } })).join("\n");

/** Each prompt's greedy output generated alone, one sequence, in this process: what the queue must reproduce. */
async function sequentialGreedy(maxTokens: number, count = prompts.length): Promise<string[]> {
  const residency = new ModelResidency({ llama, budgetBytes: 2 ** 30, sequencesFor: () => 1, contextSize: 512, threads: 1 });
  const sampling = samplingParams.parse({ temperature: 0, maxTokens });
  const out: string[] = [];
  try {
    for (const prompt of prompts.slice(0, count)) out.push((await runGeneration({ residency, modelPath: await tinyGguf(), input: { mode: "completion", prompt }, sampling })).text);
  } finally {
    await residency.dispose();
  }
  return out;
}

const getRun = (id: string) => member.json<RunDto>("GET", `/api/runs/${id}?limit=100`);
const finished = (id: string) => async () => {
  const r = await getRun(id);
  return r.status === "completed" ? r : null;
};

beforeAll(async () => {
  env = await setupTestEnv();
  const ref = await tinyRef();
  prompts = Array.from({ length: 50 }, (_, i) => ref.prompts[i % ref.prompts.length]!.prompt);
  [llama, model] = await Promise.all([getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false }), registerTinyModel({ dataDir: env.dataDir })]);
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1", INFERENCE_SEQUENCES: "4", LOG_LEVEL: "info" } });
  const m = await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  const v = await createUser({ email: "viewer@example.com", name: "viewer", password: "quartz-ember-tide-42", role: "viewer" });
  memberKey = (await createApiKey({ userId: m.id, name: "test" })).key;
  member = new TestClient(app.baseUrl, memberKey);
  viewer = new TestClient(app.baseUrl, (await createApiKey({ userId: v.id, name: "test" })).key);
});

afterAll(async () => {
  await app?.stop();
  await llama?.dispose();
  await closeDb();
});

describe("batch runs through the inference queue", () => {
  it("rejects an upload with row-level errors and creates nothing", async () => {
    const content = ['{"prompt": "fine"}', "{oops", '{"messages": [{"role": "user", "content": "x"}]}'].join("\n");
    const res = await member.request("POST", "/api/runs", { model: model.name, mode: "completion", upload: { format: "jsonl", content } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; rows: { row: number; message: string }[] } };
    expect(body.error.code).toBe("invalid_rows");
    expect(body.error.rows.map((r) => r.row)).toEqual([2, 3]);
    expect(await db().run.count()).toBe(0);
  });

  it("lets viewers read runs but not start them", async () => {
    const res = await viewer.request("POST", "/api/runs", { model: model.name, mode: "completion", upload: { format: "lines", content: "a" } });
    expect(res.status).toBe(403);
    expect((await viewer.request("GET", "/api/runs")).status).toBe(200);
  });

  it("completes a 50-item run whose outputs equal each prompt's sequential greedy output", async () => {
    const expected = await sequentialGreedy(32);
    const created = await member.json<{ id: string; total: number }>("POST", "/api/runs", {
      model: model.name,
      mode: "completion",
      params: { temperature: 0, maxTokens: 32 },
      upload: { format: "jsonl", content: jsonl() },
    });
    expect(created.total).toBe(50);
    const run = await waitFor("run completed", finished(created.id), 120_000, 500);
    expect(run.counts).toEqual({ pending: 0, running: 0, completed: 50, failed: 0, cancelled: 0 });
    expect(run.items.map((i) => i.output)).toEqual(expected);
    const ref = await tinyRef();
    expect(expected.slice(0, 6)).toEqual(ref.prompts.map((p) => p.generated_text));
    expect(run.items.map((i) => i.externalId)).toEqual(prompts.map((_, i) => `p${i}`));
    expect(run.items.map((i) => i.tokensIn)).toEqual(prompts.map((_, i) => ref.prompts[i % ref.prompts.length]!.input_ids.length));
    expect(run.items.every((i) => i.tokensOut === 32 && i.durationMs! >= i.ttftMs!)).toBe(true);
    expect(run.tokensOut).toBe(50 * 32);
    expect(run.throughput.length).toBeGreaterThan(0);
    const audit = await db().auditEvent.findFirst({ where: { action: "run.create", target: created.id } });
    expect(audit?.actorLabel).toContain("member@example.com");

    const exported = await member.request("GET", `/api/runs/${created.id}/export?format=jsonl`);
    const lines = (await exported.text()).trim().split("\n").map((l) => JSON.parse(l) as { id: string; output: string; metadata: { i: number } });
    expect(lines.map((l) => l.output)).toEqual(expected);
    expect(lines[7]).toMatchObject({ id: "p7", metadata: { i: 7 } });
    const csv = await (await member.request("GET", `/api/runs/${created.id}/export?format=csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("index,id,prompt,messages,metadata,status,output,tokens_in,tokens_out,ttft_ms,duration_ms,error");
  }, 180_000);

  it("serves an API request ahead of the queued batch items", async () => {
    const { id } = await member.json<{ id: string }>("POST", "/api/runs", {
      model: model.name,
      mode: "completion",
      params: { temperature: 0, maxTokens: 32 },
      upload: { format: "jsonl", content: jsonl() },
    });
    const waiting = await waitFor("batch running", async () => {
      const r = await getRun(id);
      return r.counts.running > 0 ? r.counts.pending : null;
    });
    const res = await member.request("POST", "/v1/completions", { model: model.name, prompt: "Quick one", max_tokens: 4, temperature: 0 });
    expect(res.status).toBe(200);
    await waitFor("run completed", finished(id), 120_000, 500);
    // Jumped the queue: the items still waiting when it was sent started after it, but for those taken while the
    // request was on its way (at most a few per sequence). First-in-first-out would have started it last.
    const api = await db().job.findFirstOrThrow({ where: { queue: "inference", kind: "generate" }, orderBy: { createdAt: "desc" } });
    const laterItems = await db().runItem.count({ where: { runId: id, startedAt: { gt: api.startedAt! } } });
    expect(waiting).toBeGreaterThan(20);
    expect(laterItems).toBeGreaterThanOrEqual(waiting - 12);
  }, 180_000);

  it("survives kill -9 of the worker mid-run: every item completes once, none is lost", async () => {
    const expected = await sequentialGreedy(32);
    const { id } = await member.json<{ id: string }>("POST", "/api/runs", {
      model: model.name,
      mode: "completion",
      params: { temperature: 0, maxTokens: 32 },
      upload: { format: "jsonl", content: jsonl() },
    });
    // Straight from the database (two indexed counts), so the kill lands while those items are still running.
    const count = (status: string) => db().runItem.count({ where: { runId: id, status } });
    await waitFor("some items done", async () => {
      const [completed, running] = await Promise.all([count("completed"), count("running")]);
      return completed >= 4 && running > 0 && completed < 40;
    }, 120_000, 10);
    const victim = app.workers.at(-1)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    const atKill = await getRun(id);
    expect(atKill.counts.completed).toBeLessThan(50);
    const runningAtKill = atKill.items.filter((i) => i.status === "running").map((i) => i.id);
    expect(runningAtKill.length).toBeGreaterThan(0);
    const fresh = app.startWorker();
    const run = await waitFor("run completed after restart", finished(id), 180_000, 500);
    expect(run.counts).toEqual({ pending: 0, running: 0, completed: 50, failed: 0, cancelled: 0 });
    expect(run.items.map((i) => i.output)).toEqual(expected);
    // The items it was running were started again by the new worker.
    for (const i of run.items.filter((x) => runningAtKill.includes(x.id))) expect(i.attempts).toBeGreaterThan(1);
    // Items the killed worker had finished (as the database says after its death) are never redone; the new
    // worker finishes each of the others exactly once. (The killed worker's own log may have lost its last lines.)
    const doneAtKill = new Set(atKill.items.filter((i) => i.status === "completed").map((i) => i.id));
    const rest = run.items.map((i) => i.id).filter((i) => !doneAtKill.has(i));
    const completedBy = (out: string) => [...out.matchAll(/"msg":"run item completed","runId":"[^"]+","itemId":"([^"]+)"/g)].map((m) => m[1]!);
    const byFresh = await waitFor("new worker's log complete", async () => {
      const ids = completedBy(fresh.output()).filter((x) => run.items.some((i) => i.id === x));
      return ids.length >= rest.length ? ids : null;
    }, 10_000);
    expect(byFresh.sort()).toEqual(rest.sort());
  }, 300_000);

  it("`depot run` sends a prompt file through the queue and writes the results", async () => {
    const input = path.join(env.dataDir, "prompts.csv");
    const output = path.join(env.dataDir, "results.jsonl");
    await writeFile(input, `id,prompt,lang\na,${prompts[0]},en\nb,${prompts[1]},en\n`);
    const depot = path.resolve(import.meta.dirname, "../../bin/depot.js");
    const { stderr } = await promisify(execFile)(depot, ["run", model.name, "--input", input, "--output", output, "--temperature", "0", "--max-tokens", "32"], {
      env: { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: memberKey },
    });
    expect(stderr).toContain("2 completed, 0 failed, 0 cancelled");
    const rows = (await readFile(output, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; output: string; metadata: Record<string, string> });
    const expected = await sequentialGreedy(32, 2);
    expect(rows.map((r) => [r.id, r.output, r.metadata.lang])).toEqual([
      ["a", expected[0], "en"],
      ["b", expected[1], "en"],
    ]);
  }, 120_000);

  it("cancels a run and retries its cancelled items to completion", async () => {
    const { id } = await member.json<{ id: string }>("POST", "/api/runs", {
      model: model.name,
      mode: "chat",
      chatFormat: "llama2",
      systemPrompt: "Be brief.",
      params: { temperature: 0, maxTokens: 200 },
      upload: { format: "jsonl", content: jsonl(30) },
    });
    await member.json("POST", `/api/runs/${id}/cancel`, {});
    const cancelled = await waitFor("run settled", async () => {
      const r = await getRun(id);
      return r.status === "cancelled" && r.counts.running === 0 && r.counts.pending === 0 ? r : null;
    });
    expect(cancelled.counts.cancelled).toBeGreaterThan(0);
    const retried = await member.json<{ retried: number }>("POST", `/api/runs/${id}/retry`, {});
    expect(retried.retried).toBe(cancelled.counts.cancelled + cancelled.counts.failed);
    const done = await waitFor("retried run completed", finished(id), 120_000, 500);
    expect(done.counts.completed).toBe(30);
    expect(await db().auditEvent.count({ where: { target: id, action: { in: ["run.cancel", "run.retry"] } } })).toBe(2);
  }, 180_000);
});
