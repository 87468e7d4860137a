import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../db/prisma";
import type { JobDto } from "../jobs/job-dto";
import { createUser } from "../users/create-user";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { llama3Ref, tinyLlama3Dir, type Llama3Ref } from "../../test/helpers/tiny-llama3";
import { waitFor } from "../../test/helpers/wait-for";
import { startMetaCdn, type MetaCdn } from "../../test/servers/meta-cdn";
import { buildLlama3Folder } from "../../test/servers/meta-fixture";
import type { ModelDetailDto } from "./model-dto";

// The whole Llama 3.1 chain with the real tiny checkpoint in Meta's layout: `depot pull meta` from the test CDN,
// checklist-verified, converted by the worker, and answered by `depot generate` with transformers' greedy tokens.

let env: TestEnv;
let app: AppHandle;
let admin: TestClient;
let cdn: MetaCdn;
let work: string;
let ref: Llama3Ref["variants"]["llama3.1"];
let cliEnv: NodeJS.ProcessEnv;

const depot = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(path.resolve("node_modules/.bin/tsx"), ["cli/depot.ts", ...args], { env: cliEnv, timeout: 180_000 }, (e, out, err) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
const job = async (id: string) => (await admin.json<{ job: JobDto }>("GET", `/api/jobs/${id}`)).job;
const ended = (id: string) => async () => {
  const j = await job(id);
  return ["completed", "failed", "cancelled"].includes(j.status) ? j : null;
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-llama3-"));
  ref = (await llama3Ref()).variants["llama3.1"];
  await buildLlama3Folder(path.join(work, "cdn"), { folder: "Llama-3.1-8B-Instruct", from: await tinyLlama3Dir("meta", "llama3.1") });
  cdn = await startMetaCdn({ root: path.join(work, "cdn") });
  env = await setupTestEnv();
  // Reading Llama 3's 128k-token tokenizer holds the worker's event loop for a few seconds on a loaded 2-core machine:
  // longer than start-app's 3 s job lock (kept short for the kill -9 tests), which would re-run the conversion.
  app = await startApp(env, { workers: 1, extraEnv: { WORKER_LOCK_MS: "30000" } });
  await createUser({ email: "admin@example.com", name: "admin", password: "quartz-ember-tide-42", role: "admin" });
  admin = new TestClient(app.baseUrl);
  await admin.login("admin@example.com", "quartz-ember-tide-42");
  const { key } = await admin.json<{ key: string }>("POST", "/api/api-keys", { name: "cli" });
  cliEnv = { ...process.env, DEPOT_URL: app.baseUrl, DEPOT_API_KEY: key, INFERENCE_THREADS: "1" };
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await cdn?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("Llama 3.1 from Meta's signed link to an answer", () => {
  it("depot pull meta → verified → converted to f16 → depot generate gives transformers' greedy tokens", async () => {
    const link = cdn.signUrl(new Date(Date.now() + 3600_000));
    const pull = await depot("pull", "meta", "llama-3.1", "--url", link, "--models", "Llama3.1-8B-Instruct");
    expect(pull.code, pull.err).toBe(0);
    const { models } = await admin.json<{ models: { id: string; name: string; status: string; format: string }[] }>("GET", "/api/models");
    const meta = models.find((m) => m.name === "Llama-3.1-8B-Instruct")!;
    expect(meta).toMatchObject({ format: "meta", status: "verified" });

    const conv = await admin.json<{ jobId: string; modelId: string; name: string }>("POST", `/api/models/${meta.id}/convert`, { type: "f16" });
    const done = await waitFor("conversion", ended(conv.jobId), 120_000);
    expect(done.error).toBeNull();
    const gguf = (await admin.json<{ model: ModelDetailDto }>("GET", `/api/models/${conv.modelId}`)).model;
    expect(gguf).toMatchObject({ format: "gguf", status: "verified" });
    // Meta's folder says Instruct: Llama 3.1's chat template and <|eot_id|> as EOS, as the HF form has them.
    expect(gguf.gguf?.metadata["tokenizer.ggml.eos_token_id"]).toBe(128009);
    expect(gguf.gguf?.metadata["tokenizer.chat_template"]).toContain("Cutting Knowledge Date");

    for (const p of ref.prompts.slice(0, 3)) {
      const gen = await depot("generate", conv.name, "-p", p.prompt, "-n", String(p.generated_ids.length), "-t", "0", "--json");
      expect(gen.code, gen.err).toBe(0);
      const out = JSON.parse(gen.out.trim().split("\n").at(-1)!) as { tokens: number[]; promptTokens: number };
      expect(out.promptTokens, p.prompt).toBe(p.input_ids.length);
      expect(out.tokens, p.prompt).toEqual(p.generated_ids);
    }
  }, 300_000);
});
