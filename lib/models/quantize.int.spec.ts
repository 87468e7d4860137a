import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb, db } from "../db/prisma";
import type { JobDto } from "../jobs/job-dto";
import { K_QUANT_REFERENCE } from "../../test/helpers/k-quant-fixtures";
import { signIn, TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { registerTinyModel } from "../../test/helpers/tiny-gguf";
import { waitFor } from "../../test/helpers/wait-for";
import type { ModelDetailDto, ModelDto } from "./model-dto";

// The Quantize action end to end: the built web server and a real worker quantize a GGUF model into a derived one,
// which then serves completions.

let env: TestEnv;
let app: AppHandle;
let member: TestClient;
let viewer: TestClient;
let source: { id: string; name: string };

const model = async (id: string) => (await member.json<{ model: ModelDetailDto }>("GET", `/api/models/${id}`)).model;
const models = async () => (await member.json<{ models: ModelDto[] }>("GET", "/api/models")).models;
const ended = (id: string) => async () => {
  const { job } = await member.json<{ job: JobDto }>("GET", `/api/jobs/${id}`);
  return ["completed", "failed", "cancelled"].includes(job.status) ? job : null;
};

beforeAll(async () => {
  env = await setupTestEnv();
  source = await registerTinyModel({ dataDir: env.dataDir });
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1" } });
  member = await signIn(app.baseUrl, "member@example.com", "member");
  viewer = await signIn(app.baseUrl, "viewer@example.com", "viewer");
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("Quantize a GGUF model", () => {
  let derived: string;

  it("is refused to viewers, who may not convert either", async () => {
    expect((await viewer.request("POST", `/api/models/${source.id}/convert`, { type: "q4_k_m" })).status).toBe(403);
  });

  it("refuses f32, which is no quantization of a GGUF", async () => {
    const res = await member.request("POST", `/api/models/${source.id}/convert`, { type: "f32" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/a GGUF model is quantized to one of f16, bf16, q8_0, q4_0, q2_k/);
  });

  it("quantizes to Q4_K_M as llama-quantize does, registered as a verified GGUF model derived from its source", async () => {
    const r = await member.json<{ jobId: string; modelId: string; name: string }>("POST", `/api/models/${source.id}/convert`, { type: "q4_k_m" });
    expect(r.name).toBe("tiny-llama-f16-q4_k_m");
    const done = await waitFor("quantize job", ended(r.jobId), 120_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    expect(done.detail).toMatchObject({ pct: 100 });
    derived = r.modelId;
    const g = await model(derived);
    expect(g).toMatchObject({ format: "gguf", status: "verified", derivedFrom: { id: source.id, name: source.name, format: "gguf" }, parameterCount: 4_196_672 });
    expect(g.gguf?.fileType).toBe("Q4_K_M");
    expect(g.gguf!.bitsPerWeight).toBeGreaterThan(4.5);
    expect(g.gguf!.bitsPerWeight).toBeLessThan(8);
    const ref = JSON.parse(await readFile(path.join(K_QUANT_REFERENCE, "tiny-llama.json"), "utf8")).Q4_K_M.tensors as Record<string, { type: string }>;
    expect(Object.fromEntries(g.gguf!.tensors.map((t) => [t.name, t.type]))).toEqual(Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, v.type])));
    const file = g.files[0]!;
    expect(g.files).toHaveLength(1);
    const onDisk = await readFile(path.join(env.dataDir, g.directory, file.path));
    expect(file.sha256).toBe(createHash("sha256").update(onDisk).digest("hex"));
    // No temporary file is left beside the result.
    expect(await readdir(path.join(env.dataDir, g.directory))).toEqual([file.path]);
  });

  it("serves completions from the derived model", async () => {
    const user = await db().user.findUniqueOrThrow({ where: { email: "member@example.com" } });
    const api = new TestClient(app.baseUrl, (await createApiKey({ userId: user.id, name: "api" })).key);
    const r = await api.json<{ choices: { text: string }[]; usage: { completion_tokens: number } }>("POST", "/v1/completions", {
      model: "tiny-llama-f16-q4_k_m",
      prompt: "Once upon a time",
      max_tokens: 8,
      temperature: 0,
    });
    expect(r.usage.completion_tokens).toBe(8);
    expect(r.choices[0]!.text.length).toBeGreaterThan(0);
  });

  it("refuses to quantize an already-quantized model: a clear error, nothing registered", async () => {
    const before = (await models()).length;
    const res = await member.request("POST", `/api/models/${derived}/convert`, { type: "q8_0" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/tiny-llama-f16-q4_k_m cannot be quantized: tiny-llama-f16-q4_k_m\.gguf: tensor output\.weight is Q8_0: only an F32, F16 or BF16 GGUF can be quantized/);
    expect(await models()).toHaveLength(before);
  });
});
