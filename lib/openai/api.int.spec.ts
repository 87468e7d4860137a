import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb, db } from "../db/prisma";
import { createUser } from "../users/create-user";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv } from "../../test/helpers/test-env";
import { registerTinyModel, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import type { TurnEvent } from "../playground/chat-turn";

let app: AppHandle;
let client: OpenAI;
let key: string;
let viewerKey: string;
let model: { id: string; name: string };
let ref: TinyRef;
const MAX_QUEUE = 2;

beforeAll(async () => {
  const env = await setupTestEnv();
  [model, ref] = await Promise.all([registerTinyModel({ dataDir: env.dataDir }), tinyRef()]);
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1", INFERENCE_MAX_QUEUE: String(MAX_QUEUE) } });
  const m = await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  const v = await createUser({ email: "viewer@example.com", name: "viewer", password: "quartz-ember-tide-42", role: "viewer" });
  key = (await createApiKey({ userId: m.id, name: "api" })).key;
  viewerKey = (await createApiKey({ userId: v.id, name: "api" })).key;
  // No automatic retries: the test must see the 429 itself.
  client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

const p0 = () => ref.prompts[0]!;

describe("OpenAI-compatible API with the official client", () => {
  it("lists the ready GGUF models", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual([model.name]);
    expect(list.data[0]!.object).toBe("model");
  });

  it("completes a prompt (greedy) with usage counts matching the reference", async () => {
    const r = await client.completions.create({ model: model.name, prompt: p0().prompt, max_tokens: 32, temperature: 0 });
    expect(r.object).toBe("text_completion");
    expect(r.choices[0]!.text).toBe(p0().generated_text);
    expect(r.choices[0]!.finish_reason).toBe("length");
    expect(r.usage).toEqual({ prompt_tokens: 5, completion_tokens: 32, total_tokens: 37 });
  });

  it("streams a completion whose pieces add up to the same text, with usage at the end", async () => {
    const stream = await client.completions.create({ model: model.name, prompt: p0().prompt, max_tokens: 32, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let pieces = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      if (chunk.choices[0]?.text) pieces++;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(p0().generated_text);
    expect(pieces).toBeGreaterThan(5);
    expect(usage?.completion_tokens).toBe(32);
  });

  it("answers chat completions in the Llama 2 chat format, streamed and not, alike", async () => {
    const messages = ref.llama2_chat_format.messages;
    const body = { model: model.name, messages, max_tokens: 20, temperature: 0, chat_format: "llama2" } as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const r = await client.chat.completions.create(body);
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]!.message.role).toBe("assistant");
    expect(r.usage?.prompt_tokens).toBe(ref.llama2_chat_format.input_ids.length);
    expect(r.usage?.completion_tokens).toBe(20);
    const stream = await client.chat.completions.create({ ...body, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(r.choices[0]!.message.content);
    expect(finish).toBe("length");
  });

  it("refuses requests without a valid key (401), viewers (403) and unknown models (404) with OpenAI-shaped errors", async () => {
    const res = await fetch(`${app.baseUrl}/v1/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    const bad = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: "depot_not_a_key", maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const viewer = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: viewerKey, maxRetries: 0 });
    expect((await viewer.models.list()).data).toHaveLength(1);
    await expect(viewer.completions.create({ model: model.name, prompt: "x" })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(client.completions.create({ model: "nope", prompt: "x" })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("answers 429 with Retry-After beyond the queue depth, and serves the queued requests once a worker runs", async () => {
    // With no worker the admitted requests stay queued, so the queue is reliably full.
    app.workers.forEach((w) => w.child.kill("SIGKILL"));
    await Promise.all(app.workers.map((w) => w.exited));
    const queued = Array.from({ length: MAX_QUEUE }, () => client.completions.create({ model: model.name, prompt: p0().prompt, max_tokens: 8, temperature: 0 }));
    await new Promise((r) => setTimeout(r, 1000));
    const over = await fetch(`${app.baseUrl}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: model.name, prompt: "x" }),
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
    await expect(client.completions.create({ model: model.name, prompt: "x" })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    app.startWorker();
    const done = await Promise.all(queued);
    expect(done.map((d) => d.usage?.completion_tokens)).toEqual([8, 8]);
    // Capacity is back once they finished.
    expect((await client.completions.create({ model: model.name, prompt: "y", max_tokens: 2, temperature: 0 })).usage?.completion_tokens).toBe(2);
  }, 120_000);
});

describe("playground", () => {
  it("streams a chat turn over SSE and keeps the conversation for its user only", async () => {
    const alice = new TestClient(app.baseUrl);
    await alice.login("member@example.com", "quartz-ember-tide-42");
    const turn = async (message: string, conversationId?: string) => {
      const res = await alice.request("POST", "/api/playground/chat", { conversationId, model: model.name, chatFormat: "llama2", systemPrompt: "Be brief.", params: { temperature: 0, maxTokens: 12 }, message });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const text = await res.text();
      return text.split("\n\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as TurnEvent);
    };
    const first = await turn("Hello there");
    expect(first[0]!.type).toBe("conversation");
    const id = (first[0] as { id: string }).id;
    const streamed = first.filter((e) => e.type === "text").map((e) => (e as { text: string }).text).join("");
    const done = first.at(-1) as Extract<TurnEvent, { type: "done" }>;
    expect(done.type).toBe("done");
    expect(done.result.text).toBe(streamed);
    const second = await turn("And again?", id);
    expect(second.at(-1)!.type).toBe("done");
    const convo = await alice.json<{ messages: { role: string; content: string }[] }>("GET", `/api/playground/conversations/${id}`);
    expect(convo.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(convo.messages[1]!.content).toBe(streamed);
    // The second turn's prompt held the whole conversation.
    const msgs = await db().message.findMany({ where: { conversationId: id }, orderBy: { createdAt: "asc" } });
    expect(msgs[3]!.tokensIn).toBeGreaterThan(msgs[1]!.tokensIn!);
    const bob = new TestClient(app.baseUrl);
    await bob.login("viewer@example.com", "quartz-ember-tide-42");
    expect((await bob.request("GET", `/api/playground/conversations/${id}`)).status).toBe(404);
    expect((await bob.json<{ conversations: unknown[] }>("GET", "/api/playground/conversations")).conversations).toEqual([]);
    expect((await bob.request("POST", "/api/playground/chat", { model: model.name, message: "hi" })).status).toBe(403);
    expect(await db().auditEvent.count({ where: { action: "playground.chat" } })).toBe(2);
  }, 60_000);

  it("keeps presets per user: saved by name, overwritten by the same name, invisible and untouchable to others", async () => {
    const alice = new TestClient(app.baseUrl);
    await alice.login("member@example.com", "quartz-ember-tide-42");
    await createUser({ email: "carol@example.com", name: "carol", password: "quartz-ember-tide-42", role: "member" });
    const carol = new TestClient(app.baseUrl);
    await carol.login("carol@example.com", "quartz-ember-tide-42");
    const saved = await alice.json<{ id: string }>("POST", "/api/playground/presets", { name: "terse", systemPrompt: "Be brief.", params: { temperature: 0.2 } });
    const again = await alice.json<{ id: string }>("POST", "/api/playground/presets", { name: "terse", systemPrompt: "Be briefer.", params: { temperature: 0.1 } });
    expect(again.id).toBe(saved.id);
    expect((await alice.json<{ presets: unknown[] }>("GET", "/api/playground/presets")).presets).toMatchObject([{ name: "terse", systemPrompt: "Be briefer.", params: { temperature: 0.1 } }]);
    expect((await carol.json<{ presets: unknown[] }>("GET", "/api/playground/presets")).presets).toEqual([]);
    expect((await carol.request("DELETE", `/api/playground/presets/${saved.id}`)).status).toBe(404);
    const bob = new TestClient(app.baseUrl);
    await bob.login("viewer@example.com", "quartz-ember-tide-42");
    expect((await bob.request("POST", "/api/playground/presets", { name: "mine" })).status).toBe(403);
    expect((await alice.request("DELETE", `/api/playground/presets/${saved.id}`)).status).toBe(200);
    expect(await db().chatPreset.count()).toBe(0);
  });

  it("a refused turn stores nothing: no conversation, no user message", async () => {
    const alice = new TestClient(app.baseUrl);
    await alice.login("member@example.com", "quartz-ember-tide-42");
    const [conversations, messages] = [await db().conversation.count(), await db().message.count()];
    const convo = await db().conversation.findFirstOrThrow();
    for (const conversationId of [undefined, convo.id]) {
      const res = await alice.request("POST", "/api/playground/chat", { conversationId, model: model.name, params: { maxTokens: 40_000 }, message: "too many" });
      expect(res.status).toBe(400);
    }
    expect([await db().conversation.count(), await db().message.count()]).toEqual([conversations, messages]);
  });

  it("stops only one's own requests", async () => {
    const carol = new TestClient(app.baseUrl);
    await carol.login("carol@example.com", "quartz-ember-tide-42");
    const job = await db().job.findFirstOrThrow({ where: { kind: "generate", user: { email: "member@example.com" } } });
    expect((await carol.request("POST", "/api/playground/chat/stop", { jobId: job.id })).status).toBe(403);
    expect((await carol.request("POST", "/api/playground/chat/stop", { jobId: "nope" })).status).toBe(404);
  });
});
