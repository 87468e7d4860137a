import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { signIn, type TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { waitFor } from "../helpers/wait-for";

const TOKEN = "metrics-token-0123456789";
let app: AppHandle;
let admin: TestClient;

const scrape = async (auth?: string) => fetch(`${app.baseUrl}/metrics`, { headers: auth ? { authorization: auth } : {} });

beforeAll(async () => {
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { METRICS_TOKEN: TOKEN } });
  admin = await signIn(app.baseUrl, "admin@example.com", "admin");
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("/metrics", () => {
  it("refuses scrapes without the token", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong-token-0123456789")).status).toBe(401);
  });

  it("exports queue depths, job durations and worker heartbeats in Prometheus format", async () => {
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 1 });
    await waitFor("echo done", async () => (await admin.json<{ job: { status: string } }>("GET", `/api/jobs/${id}`)).job.status === "completed");
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain('depot_queue_jobs{queue="maintenance",state="completed"} 1');
    expect(text).toContain('depot_job_duration_seconds_count{queue="maintenance"} 1');
    expect(text).toMatch(/depot_job_duration_seconds_bucket\{queue="maintenance",le="5"\} 1/);
    expect(text).toMatch(/depot_worker_up\{worker="[^"]+",backend="[^"]+"\} 1/);
    expect(text).toMatch(/# TYPE depot_tokens_per_second gauge/);
  });

  it("feeds the Overview charts from the same numbers", async () => {
    const overview = await waitFor("two history samples", async () => {
      const o = await admin.json<{ history: { queues: Record<string, { completed: number }> }[] }>("GET", "/api/overview");
      return o.history.length >= 2 ? o : null;
    }, 30_000, 1000);
    expect(overview.history.at(-1)!.queues.maintenance!.completed).toBe(1);
  });
});
