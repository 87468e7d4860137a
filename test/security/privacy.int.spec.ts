import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as jobRetry from "../../app/api/jobs/[id]/retry/route";
import * as jobOne from "../../app/api/jobs/[id]/route";
import * as jobs from "../../app/api/jobs/route";
import { closeDb, db } from "../../lib/db/prisma";
import { createJobRow, markJobActive, markJobCompleted } from "../../lib/queue/job-rows";
import { closeWebRedis } from "../../lib/redis/connection";
import { closeQueues } from "../../lib/queue/queues";
import { setupTestEnv } from "../helpers/test-env";
import { call, userWithKey, type Caller } from "./call-route";

// Finding 1 (issue #19): an interactive request's Job row and its DTO carry no prompt or output text.
const SYSTEM = "secret-system-prompt-7f3a";
const PROMPT = "secret-user-question-91bc";
const OUTPUT = "secret-generated-answer-c0de";
const SECRETS = [SYSTEM, PROMPT, OUTPUT];

const clients = {} as Record<"admin" | "owner" | "other" | "viewer", Caller>;
type H = Parameters<typeof call>[0];

const generate = (requestId: string) => ({
  kind: "generate",
  requestId,
  modelId: "some-model",
  input: { mode: "chat", chatFormat: "auto", messages: [{ role: "system", content: SYSTEM }, { role: "user", content: PROMPT }] },
  sampling: { temperature: 0.5, maxTokens: 16 },
});

beforeAll(async () => {
  await setupTestEnv();
  clients.admin = await userWithKey("admin@example.com", "admin");
  clients.owner = await userWithKey("owner@example.com", "member");
  clients.other = await userWithKey("other@example.com", "member");
  clients.viewer = await userWithKey("viewer@example.com", "viewer");
});

afterAll(async () => {
  await closeQueues();
  closeWebRedis();
  await closeDb();
});

async function expectNoSecrets(id: string) {
  for (const [who, c] of Object.entries(clients)) {
    const list = await call(jobs.GET as H, c, "GET");
    const one = await call(jobOne.GET as H, c, "GET", { id });
    expect(one.status, who).toBe(200);
    for (const body of [await list.text(), await one.text()]) {
      expect(body, who).toContain(id);
      for (const s of SECRETS) expect(body, `${who} sees ${s}`).not.toContain(s);
    }
  }
}

describe("interactive requests keep their text out of the Job table", () => {
  it("the row written by the producer and the worker keeps ids only; no one reads the prompt or output through /api/jobs", async () => {
    const owner = clients.owner;
    const id = "inference-private-1";
    // The calls enqueue() and the worker's runJob make for a playground turn or a /v1 request.
    await createJobRow({ id, queue: "inference", lane: null, kind: "generate", payload: generate("r1"), userId: owner.id });
    await markJobActive(id, "w-1", { queue: "inference", lane: null, kind: "generate", payload: generate("r1") });
    await markJobCompleted(id, "generate", { text: OUTPUT, promptTokens: 5, completionTokens: 3, finishReason: "stop" });
    const row = await db().job.findUniqueOrThrow({ where: { id } });
    for (const s of SECRETS) expect(JSON.stringify(row)).not.toContain(s);
    expect(JSON.parse(row.payloadSummary)).toEqual({ kind: "generate", requestId: "r1", modelId: "some-model" });
    expect(JSON.parse(row.resultJson!)).toMatchObject({ completionTokens: 3 });
    await expectNoSecrets(id);
  });

  it("a row written before the fix (prompt and text stored) is never served", async () => {
    const id = "inference-legacy-1";
    await db().job.create({
      data: { id, queue: "inference", kind: "generate", status: "completed", payloadSummary: JSON.stringify(generate("r2")), resultJson: JSON.stringify({ text: OUTPUT, completionTokens: 3 }) },
    });
    await expectNoSecrets(id);
  });

  it("an interactive job is not retried from its row (which no longer holds the request)", async () => {
    const id = "inference-legacy-2";
    await db().job.create({ data: { id, queue: "inference", kind: "generate", status: "failed", userId: clients.owner.id, payloadSummary: JSON.stringify({ kind: "generate", requestId: "r3", modelId: "m" }) } });
    expect((await call(jobRetry.POST as H, clients.owner, "POST", { id })).status).toBe(409);
  });
});
