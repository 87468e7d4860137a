import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import type { JobDto } from "../../lib/jobs/job-dto";
import { signIn, type TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { waitFor } from "../helpers/wait-for";

let app: AppHandle;
let admin: TestClient;

const job = async (id: string) => (await admin.json<{ job: JobDto }>("GET", `/api/jobs/${id}`)).job;
const status = (id: string, want: string) => async () => ((await job(id)).status === want ? job(id) : null);

beforeAll(async () => {
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1 });
  admin = await signIn(app.baseUrl, "admin@example.com", "admin");
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("jobs through BullMQ and the worker", () => {
  it("runs an echo job to completion, mirroring progress and result into the Job row", async () => {
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 2, message: "hi" });
    const seen = new Set<number>();
    const done = await waitFor("echo completion", async () => {
      const j = await job(id);
      seen.add(Math.round(j.progress));
      return j.status === "completed" ? j : null;
    });
    expect(done.result).toEqual({ message: "hi" });
    expect(done.attempts).toBe(1);
    expect([...seen].some((p) => p > 0 && p < 100), `intermediate progress seen: ${[...seen].join(",")}`).toBe(true);
    expect(done.worker).toMatch(/-\d+$/);
  });

  it("survives kill -9 of the worker mid-job: the job completes after restart with 2 attempts", async () => {
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 10 });
    await waitFor("job active with progress", async () => {
      const j = await job(id);
      return j.status === "active" && j.progress > 10;
    });
    const victim = app.workers[0]!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    app.startWorker();
    const done = await waitFor("job completed after restart", status(id, "completed"), 60_000);
    expect(done.attempts).toBe(2);
    const row = await db().job.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(2);
  });

  it("cancels a running job and retries it to completion", async () => {
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 3 });
    await waitFor("job active", status(id, "active"));
    await admin.json("POST", `/api/jobs/${id}/cancel`, {});
    const cancelled = await waitFor("job cancelled", status(id, "cancelled"));
    expect(cancelled.progress).toBeLessThan(100);
    await admin.json("POST", `/api/jobs/${id}/retry`, {});
    await waitFor("retried job completed", status(id, "completed"), 30_000);
  });

  it("cancels a waiting job without running it, and an admin can remove it", async () => {
    app.workers.forEach((w) => w.child.kill("SIGKILL"));
    await Promise.all(app.workers.map((w) => w.exited));
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 1 });
    await admin.json("POST", `/api/jobs/${id}/cancel`, {});
    expect((await job(id)).status).toBe("cancelled");
    expect((await job(id)).attempts).toBe(0);
    await admin.json("DELETE", `/api/jobs/${id}`);
    expect((await admin.request("GET", `/api/jobs/${id}`)).status).toBe(404);
  });

  it("hands an active job back on SIGTERM so another worker finishes it", async () => {
    const w1 = app.startWorker();
    const { id } = await admin.json<{ id: string }>("POST", "/api/jobs", { seconds: 20 });
    await waitFor("job active", status(id, "active"));
    w1.child.kill("SIGTERM");
    expect(await w1.exited).toBe(0);
    expect((await job(id)).status).toBe("waiting");
    app.startWorker();
    await waitFor("job active again", status(id, "active"));
  });

  it("records every mutation in the audit log", async () => {
    const { events } = await admin.json<{ events: { action: string; actor: string }[] }>("GET", "/api/audit");
    const actions = events.map((e) => e.action);
    for (const a of ["auth.login", "job.enqueue", "job.cancel", "job.retry", "job.remove"]) expect(actions).toContain(a);
    expect(events.find((e) => e.action === "job.enqueue")?.actor).toBe("admin@example.com");
  });
});
