import { getLlama, type Token } from "node-llama-cpp";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, sendPlaygroundChat } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel } from "../helpers/tiny-gguf";
import { llama3Ref, tinyLlama3Gguf, type Llama3Ref } from "../helpers/tiny-llama3";

let app: AppHandle;
let browser: Browser;
let page: Page;
let ref: Llama3Ref["variants"]["llama3.1"];
let reply: string;

beforeAll(async () => {
  const env = await setupTestEnv();
  const [file, r] = await Promise.all([tinyLlama3Gguf(), llama3Ref()]);
  ref = r.variants["llama3.1"];
  // transformers' greedy reply to the reference chat, as text.
  const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never });
  const vocab = await llama.loadModel({ modelPath: file, vocabOnly: true } as never);
  reply = vocab.detokenize(ref.chat.generated_ids as Token[]);
  await vocab.dispose();
  await llama.dispose();
  await registerTinyModel({ dataDir: env.dataDir });
  await registerTinyModel({ dataDir: env.dataDir, name: "tiny-llama3.1-f16", file, family: "llama-3.1" });
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1" } });
  await createUser({ email: "mia@example.com", name: "Mia", password: "quartz-ember-tide-42", role: "member" });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${app.baseUrl}/login`);
  await page.fill('input[name="email"]', "mia@example.com");
  await page.fill('input[name="password"]', "quartz-ember-tide-42");
  await page.click('button[type="submit"]');
  await page.waitForURL(`${app.baseUrl}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("playground in a browser", () => {
  it("chats with a Llama 3.1 model in its template by default: transformers' prompt and greedy reply", async () => {
    await page.click("nav >> text=Playground");
    await page.waitForURL(/\/playground$/);
    const model = page.locator('select[aria-label="model"]');
    expect(await model.locator('option[value="tiny-llama3.1-f16"]').textContent()).toBe("tiny-llama3.1-f16 (Llama 3.1)");
    await model.selectOption("tiny-llama3.1-f16");
    const format = page.locator('select[aria-label="chat format"]');
    expect(await format.inputValue()).toBe("auto");
    expect(await format.locator("option:checked").textContent()).toBe("Model's template");
    const answer = await sendPlaygroundChat(page, { messages: ref.chat.messages, maxTokens: ref.chat.generated_ids.length });
    expect(await answer.locator("div").nth(1).textContent()).toBe(reply);
    const m = await db().message.findFirstOrThrow({ where: { role: "assistant" } });
    // The prompt the worker ran was as long as transformers' apply_chat_template one, and the reply is transformers'
    // greedy reply to that prompt: the same prompt, token for token.
    expect(m.tokensIn).toBe(ref.chat.input_ids.length);
    expect(m.content).toBe(reply);
    expect((await db().conversation.findFirstOrThrow()).chatFormat).toBe("auto");
  });
});
