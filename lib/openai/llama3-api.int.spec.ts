import path from "node:path";
import { getLlama, type Token } from "node-llama-cpp";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { closeDb } from "../db/prisma";
import { createUser } from "../users/create-user";
import type { RunDto } from "../runs/run-dto";
import { copyGgufWith } from "../../test/helpers/gguf-copy";
import { TestClient } from "../../test/helpers/http-client";
import { startApp, type AppHandle } from "../../test/helpers/start-app";
import { setupTestEnv } from "../../test/helpers/test-env";
import { registerTinyModel, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";
import { llama3Ref, tinyLlama3Gguf, type Llama3Ref } from "../../test/helpers/tiny-llama3";
import { waitFor } from "../../test/helpers/wait-for";

// /v1/chat/completions on a Llama 3.1 model in its own format, beside a Llama 2 model in Meta's. The Llama 3.1 GGUF is
// steered (output.weight rows swapped, and token_embd rows where the token is fed back) so that, greedy, its reply to
// the reference chat is [g0, <|python_tag|>, g2] and then <|eot_id|>, where transformers' reply is g0 g1 g2 g3 …: the
// model itself emits a special token and ends its turn, the rest of its computation unchanged.
const [PYTHON_TAG, EOT] = [128010, 128009];

let app: AppHandle;
let client: OpenAI;
let llama3: { name: string };
let llama2: { name: string };
let ref: Llama3Ref["variants"]["llama3.1"];
let ref2: TinyRef;
let replyText: string;

beforeAll(async () => {
  const env = await setupTestEnv();
  [ref, ref2] = await Promise.all([llama3Ref().then((r) => r.variants["llama3.1"]), tinyRef()]);
  const [g0, g1, g2, g3] = ref.chat.generated_ids as [number, number, number, number];
  // The swapped tokens are not in the prompt, so the prompt reads the same.
  expect(ref.chat.input_ids.filter((t) => [g1, PYTHON_TAG, g3].includes(t))).toEqual([]);
  const src = await tinyLlama3Gguf();
  const file = await copyGgufWith({
    src,
    out: path.join(env.dataDir, "steered-llama3.1.gguf"),
    swapRows: [
      { tensor: "output.weight", rows: [g1, PYTHON_TAG] },
      { tensor: "token_embd.weight", rows: [g1, PYTHON_TAG] },
      { tensor: "output.weight", rows: [g3, EOT] },
    ],
  });
  const vocab = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never });
  const model = await vocab.loadModel({ modelPath: src, vocabOnly: true } as never);
  replyText = model.detokenize([g0, g2] as Token[]);
  await model.dispose();
  await vocab.dispose();
  [llama3, llama2] = await Promise.all([
    registerTinyModel({ dataDir: env.dataDir, name: "tiny-llama3.1-f16", file, family: "llama-3.1" }),
    registerTinyModel({ dataDir: env.dataDir }),
  ]);
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1" } });
  const u = await createUser({ email: "member@example.com", name: "member", password: "quartz-ember-tide-42", role: "member" });
  client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: (await createApiKey({ userId: u.id, name: "api" })).key, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await closeDb();
});

describe("/v1/chat/completions in the model's own chat format", () => {
  it("prompts a Llama 3.1 model in its template and stops at <|eot_id|>, printing no special token, streamed and not", async () => {
    const body = { model: llama3.name, messages: ref.chat.messages, max_tokens: 12, temperature: 0 };
    expect(body.messages[0]!.role).toBe("system");
    const r = await client.chat.completions.create(body);
    expect(r.usage?.prompt_tokens).toBe(ref.chat.input_ids.length);
    expect(r.choices[0]!.finish_reason).toBe("stop");
    // <|python_tag|> counts as a token but prints nothing; <|eot_id|> ends the reply.
    expect(r.usage?.completion_tokens).toBe(3);
    expect(r.choices[0]!.message.content).toBe(replyText);
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(replyText);
    expect(finish).toBe("stop");
    expect(text).not.toMatch(/<\|/);
  });

  it("runs batch items in chat mode in the template too, ending each at <|eot_id|>", async () => {
    const member = new TestClient(app.baseUrl);
    await member.login("member@example.com", "quartz-ember-tide-42");
    const [system, user] = [ref.chat.messages[0]!, ref.chat.messages[1]!];
    const { id } = await member.json<{ id: string }>("POST", "/api/runs", {
      model: llama3.name,
      mode: "chat",
      systemPrompt: system.content,
      params: { temperature: 0, maxTokens: 12 },
      upload: { format: "jsonl", content: `${JSON.stringify({ id: "a", prompt: user.content })}\n` },
    });
    const run = await waitFor("run completed", async () => {
      const r = await member.json<RunDto>("GET", `/api/runs/${id}?limit=10`);
      return r.status === "completed" ? r : null;
    });
    expect(run.chatFormat).toBe("auto");
    expect(run.items.map((i) => [i.output, i.tokensIn, i.tokensOut])).toEqual([[replyText, ref.chat.input_ids.length, 3]]);
  });

  it("still prompts a Llama 2 model in Meta's [INST] format", async () => {
    const r = await client.chat.completions.create({ model: llama2.name, messages: ref2.llama2_chat_format.messages, max_tokens: 4, temperature: 0 });
    expect(r.usage?.prompt_tokens).toBe(ref2.llama2_chat_format.input_ids.length);
  });
});
