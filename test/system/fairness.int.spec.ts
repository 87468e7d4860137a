import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { signIn, TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel } from "../helpers/tiny-gguf";
import { waitFor } from "../helpers/wait-for";

let app: AppHandle;
let alice: TestClient;
let bob: TestClient;
let carol: TestClient;
let model: { id: string; name: string };

const newRun = (c: TestClient, n: number, maxTokens = 2) =>
  c.request("POST", "/api/runs", {
    model: model.name,
    mode: "completion",
    params: { maxTokens, temperature: 0 },
    upload: { format: "lines", content: Array.from({ length: n }, (_, i) => `prompt number ${i}`).join("\n") },
  });

beforeAll(async () => {
  const env = await setupTestEnv();
  // One sequence: the worker runs one item at a time, so the order in which items start is the queue's order.
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_SEQUENCES: "1", INFERENCE_USER_MAX_ITEMS: "550", INFERENCE_USER_MAX_INTERACTIVE: "1" } });
  alice = await signIn(app.baseUrl, "alice@example.com", "member");
  bob = await signIn(app.baseUrl, "bob@example.com", "member");
  carol = await signIn(app.baseUrl, "carol@example.com", "member");
  model = await registerTinyModel({ dataDir: env.dataDir });
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("fairness and quotas on the inference queue", () => {
  let bigRun: string;

  it("serves another user's single prompt after at most one item of a 500-item run", async () => {
    // Items of 8 tokens: long enough that the run is still far from done when bob arrives.
    const res = await newRun(alice, 500, 8);
    expect(res.status).toBe(201);
    bigRun = ((await res.json()) as { id: string }).id;
    await waitFor("alice's run under way", async () => (await db().runItem.count({ where: { runId: bigRun, status: "completed" } })) >= 3, 60_000);

    const small = ((await (await newRun(bob, 1)).json()) as { id: string }).id;
    const bobItem = await waitFor("bob's item done", async () => {
      const item = await db().runItem.findFirstOrThrow({ where: { runId: small } });
      return item.status === "completed" ? item : null;
    }, 60_000);
    // From the moment bob's job entered the queue (its Job row is written just before the add).
    const submitted = (await db().job.findUniqueOrThrow({ where: { id: bobItem.jobId! } })).createdAt;
    const aliceStartedBetween = await db().runItem.count({ where: { runId: bigRun, startedAt: { gt: submitted, lt: bobItem.startedAt! } } });
    expect(aliceStartedBetween).toBeLessThanOrEqual(1);
    const aliceLeft = await db().runItem.count({ where: { runId: bigRun, status: "pending" } });
    expect(aliceLeft, "alice's run was still far from done when bob's prompt ran").toBeGreaterThan(250);
  });

  it("refuses a run that would pass the user's limit of queued batch items", async () => {
    // No worker while counting, so the queued items stay queued.
    for (const w of app.workers) w.child.kill("SIGKILL");
    await Promise.all(app.workers.map((w) => w.exited));
    const first = await newRun(carol, 300, 8);
    expect(first.status).toBe(201);
    const res = await newRun(carol, 300);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/you have 300 batch items queued; 300 more would pass your limit of 550/);
    expect((await newRun(bob, 5)).status).toBe(201);
    await carol.json("POST", `/api/runs/${((await first.json()) as { id: string }).id}/cancel`, {});
    await alice.json("POST", `/api/runs/${bigRun}/cancel`, {});
    app.startWorker();
  });

  it("bounds one user's concurrent interactive requests", async () => {
    const { key } = await bob.json<{ key: string }>("POST", "/api/api-keys", { name: "bob" });
    const api = new TestClient(app.baseUrl, key);
    const body = { model: model.name, prompt: "Once upon a time", max_tokens: 400, stream: true };
    const first = await api.request("POST", "/v1/completions", body);
    expect(first.status).toBe(200);
    const second = await api.request("POST", "/v1/completions", { ...body, stream: false });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBeTruthy();
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(/requests in flight, your limit/);
    await first.text();
  });
});
