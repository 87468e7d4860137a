import { getLlama, type Token } from "node-llama-cpp";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, sendPlaygroundChat, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel } from "../helpers/tiny-gguf";
import { llama3Ref, tinyLlama3Gguf, type Llama3Ref } from "../helpers/tiny-llama3";

let app: AppHandle;
let browser: Browser;
let page: Page;
let ref: Llama3Ref["variants"]["llama3.1"];
let reply: string;
const consoleErrors: string[] = [];
const messages = () => page.locator('[data-testid="messages"] [data-role="assistant"]');

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
  // One sequence per model: a second request can start only once the first one's sequence is free (the Stop test).
  // A long context, so that an answer can stream for many seconds.
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1", INFERENCE_SEQUENCES: "1", INFERENCE_CONTEXT_SIZE: "32768" } });
  await createUser({ email: "mia@example.com", name: "Mia", password: "quartz-ember-tide-42", role: "member" });
  browser = await launchBrowser();
  page = await (await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] })).newPage();
  // CSP violations and React errors show up as console errors.
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(`${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await signIn(page, app.baseUrl, "mia@example.com", "quartz-ember-tide-42");
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
    // The reply shows as markdown; Copy gives its text exactly as generated.
    await answer.locator("button >> text=Copy").click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reply);
    const m = await db().message.findFirstOrThrow({ where: { role: "assistant" } });
    // The prompt the worker ran was as long as transformers' apply_chat_template one, and the reply is transformers'
    // greedy reply to that prompt: the same prompt, token for token.
    expect(m.tokensIn).toBe(ref.chat.input_ids.length);
    expect(m.content).toBe(reply);
    expect((await db().conversation.findFirstOrThrow()).chatFormat).toBe("auto");
  });
});

/** Starts a new conversation with the Llama 3.1 model at `temperature` and `maxTokens`. */
async function newChat(opts: { temperature: string; maxTokens: string }) {
  await page.click("button >> text=New conversation");
  await page.locator('select[aria-label="model"]').selectOption("tiny-llama3.1-f16");
  await page.fill('textarea[aria-label="system prompt"]', "");
  await page.fill('input[name="temperature"]', opts.temperature);
  await page.fill('input[name="maxTokens"]', opts.maxTokens);
  await page.fill('input[name="seed"]', "");
}

describe("playground controls", () => {
  it("Enter sends, Shift+Enter is a new line; Regenerate replaces the reply with a new sample", async () => {
    await newChat({ temperature: "1", maxTokens: "24" });
    expect(await page.locator("text=Enter to send · Shift+Enter for a new line").count()).toBe(1);
    const input = page.locator('textarea[aria-label="message"]');
    await input.click();
    await page.keyboard.type("Tell me");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("a story");
    expect(await input.inputValue()).toBe("Tell me\na story");
    await page.keyboard.press("Enter");
    const answer = messages().last();
    await expect.poll(() => answer.textContent(), { timeout: 60_000 }).toContain("24 tokens");
    const convo = await db().conversation.findFirstOrThrow({ where: { title: "Tell me\na story" } });
    const first = await db().message.findFirstOrThrow({ where: { conversationId: convo.id, role: "assistant" } });
    await answer.locator("button >> text=Regenerate").click();
    const replies = () => db().message.findMany({ where: { conversationId: convo.id, role: "assistant" } });
    // The first reply is gone and one new reply of 24 tokens took its place.
    await expect.poll(async () => (await replies()).map((m) => m.id !== first.id && m.tokensOut), { timeout: 60_000 }).toEqual([24]);
    const [second] = await replies();
    expect(second!.content).not.toBe(first.content);
    await expect.poll(() => answer.locator('[data-testid="content"]').textContent()).not.toBe("");
    // The user message was sent once, not stored again.
    expect(await db().message.count({ where: { conversationId: convo.id, role: "user" } })).toBe(1);
    await expect.poll(() => messages().count()).toBe(1);
  });

  it("edit and resend replaces the last user message and its reply", async () => {
    const convo = await db().conversation.findFirstOrThrow({ where: { title: "Tell me\na story" } });
    await page.locator('[data-testid="messages"] [data-role="user"] >> button >> text=Edit').click();
    await page.fill('textarea[aria-label="edit message"]', "Tell me a poem");
    await page.click("button >> text=Save and send");
    await expect.poll(() => db().message.findMany({ where: { conversationId: convo.id }, orderBy: { createdAt: "asc" }, select: { role: true, content: true } }), { timeout: 60_000 })
      .toMatchObject([{ role: "user", content: "Tell me a poem" }, { role: "assistant" }]);
    await expect.poll(() => messages().last().textContent(), { timeout: 60_000 }).toContain("24 tokens");
  });

  it("Stop ends a streaming answer on the worker: the partial answer is kept, and the next request starts at once", async () => {
    await newChat({ temperature: "1", maxTokens: "30000" });
    await page.fill('textarea[aria-label="message"]', "a long one");
    await page.click("button >> text=Send");
    const answer = messages().last();
    const content = answer.locator('[data-testid="content"]');
    await expect.poll(() => content.textContent(), { timeout: 60_000 }).not.toBe("");
    // Let it stream for a while: without a freed sequence, the next request would wait for all 30,000 tokens.
    const streamingFor = 4_000;
    await new Promise((r) => setTimeout(r, streamingFor));
    const stoppedAt = Date.now();
    await page.click("button >> text=Stop");
    await expect.poll(() => answer.locator("text=stopped").count(), { timeout: 10_000 }).toBe(1);
    const partial = await content.textContent();

    await page.fill('input[name="maxTokens"]', "8");
    await page.fill('textarea[aria-label="message"]', "and a short one");
    await page.click("button >> text=Send");
    const next = messages().last().locator('[data-testid="content"]');
    await expect.poll(async () => (await messages().count()) === 2 && (await next.textContent()) !== "", { timeout: 60_000, interval: 20 }).toBe(true);
    const firstTokenAfter = Date.now() - stoppedAt;
    // The second answer's first token came sooner than the first answer had already been streaming: it did not wait
    // for the first one's remaining tokens.
    expect(firstTokenAfter).toBeLessThan(streamingFor);

    const convo = await db().conversation.findFirstOrThrow({ where: { title: "a long one" } });
    const [stopped] = await db().message.findMany({ where: { conversationId: convo.id, role: "assistant" }, orderBy: { createdAt: "asc" } });
    expect(stopped).toMatchObject({ stopped: true });
    expect(stopped!.content.length).toBeGreaterThan(0);
    // What the page showed is what was kept (markdown may only have dropped markup characters).
    expect(stopped!.content.length).toBeGreaterThanOrEqual(partial!.trim().length);
    // The newest request is the short one; the one before it was stopped.
    const job = await db().job.findFirstOrThrow({ where: { kind: "generate" }, orderBy: { createdAt: "desc" }, skip: 1 });
    expect(job.status).toBe("cancelled");
    await expect.poll(() => messages().last().textContent(), { timeout: 60_000 }).toContain("8 tokens");
  });

  it("renders markdown with code blocks, shows a model's HTML as text, and shows saved stats again on reopening", async () => {
    const user = await db().user.findUniqueOrThrow({ where: { email: "mia@example.com" } });
    const html = '<img src=x onerror="document.title=\'pwned\'">';
    const convo = await db().conversation.create({
      data: {
        userId: user.id,
        title: "markdown check",
        messages: {
          create: [
            { role: "user", content: "show me" },
            { role: "assistant", content: `Some **bold** text.\n\n\`\`\`js\nconst x = 1;\n\`\`\`\n\n${html}\n`, tokensIn: 11, tokensOut: 20, ttftMs: 30, durationMs: 1000 },
          ],
        },
      },
    });
    await page.reload();
    await page.click(`a >> text=markdown check`);
    const answer = messages().last();
    await expect.poll(() => answer.locator("pre > code").textContent()).toBe("const x = 1;\n");
    expect(await answer.locator("strong").textContent()).toBe("bold");
    expect(await answer.textContent()).toContain(html);
    expect(await page.locator('[data-testid="messages"] img').count()).toBe(0);
    expect(await page.title()).not.toBe("pwned");
    expect(await answer.textContent()).toContain("20 tokens · 11 prompt tokens · first token 30 ms · 20.0 tokens/s");

    // Deleting asks first.
    await page.click('button[aria-label="delete markdown check"]');
    await page.click('[data-testid="confirm-cancel"]');
    expect(await db().conversation.count({ where: { id: convo.id } })).toBe(1);
    await page.click('button[aria-label="delete markdown check"]');
    expect(await page.locator("dialog.confirm h3").textContent()).toBe("Delete the conversation “markdown check”?");
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => db().conversation.count({ where: { id: convo.id } })).toBe(0);
    await expect.poll(() => page.locator('[data-testid="toasts"] .toast > span').last().textContent()).toBe("deleted the conversation “markdown check”");
  });

  it("saves a named preset of system prompt and sampling, and loads it again", async () => {
    await page.fill('textarea[aria-label="system prompt"]', "You are terse.");
    await page.fill('input[name="temperature"]', "0.3");
    await page.fill('input[name="seed"]', "5");
    await page.fill('input[aria-label="preset name"]', "terse");
    await page.click("button >> text=Save preset");
    await expect.poll(() => page.locator("text=saved preset terse").count()).toBe(1);
    await page.reload();
    expect(await page.inputValue('textarea[aria-label="system prompt"]')).toBe("");
    await page.locator('select[aria-label="preset"]').selectOption({ label: "terse" });
    expect(await page.inputValue('textarea[aria-label="system prompt"]')).toBe("You are terse.");
    expect(await page.inputValue('input[name="temperature"]')).toBe("0.3");
    expect(await page.inputValue('input[name="seed"]')).toBe("5");
    // Deleting asks first.
    await page.click("button >> text=Delete preset");
    await page.click('[data-testid="confirm-cancel"]');
    expect(await db().chatPreset.count()).toBe(1);
    await page.click("button >> text=Delete preset");
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => db().chatPreset.count()).toBe(0);
  });

  it("shows a failed turn's error instead of an empty reply, and offers to retry it", async () => {
    // The prompt and the most tokens allowed do not fit the 32,768-token context: the worker refuses the request.
    await newChat({ temperature: "0", maxTokens: "32768" });
    await page.fill('textarea[aria-label="message"]', "too long");
    await page.click("button >> text=Send");
    const alert = page.locator('[role="alert"].error');
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain("exceed the context size");
    expect(await messages().count()).toBe(0);
    expect(await page.locator('[data-testid="messages"] [data-role="user"]').count()).toBe(1);
    await page.fill('input[name="maxTokens"]', "4");
    await page.click("button >> text=Retry");
    await expect.poll(() => messages().last().textContent(), { timeout: 60_000 }).toContain("4 tokens");
    expect(await alert.count()).toBe(0);
  });

  it("logged no console errors (CSP violations included)", () => {
    // The missing favicon is the whole app's (issue 18, "Everywhere"), not the Playground's.
    expect(consoleErrors.filter((e) => !e.endsWith("/favicon.ico)"))).toEqual([]);
  });
});
