import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, sendPlaygroundChat, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { startMetaCdn, type MetaCdn } from "../servers/meta-cdn";
import { closeDb, db } from "../../lib/db/prisma";
import { llama3Ref, tinyLlama3Dir } from "../helpers/tiny-llama3";
import { addLargeChatShard, buildLlama3Folder, buildMetaTree } from "../servers/meta-fixture";

const MiB = 1024 * 1024;
const BIG = 96 * MiB;

let app: AppHandle;
let cdn: MetaCdn;
let browser: Browser;
let page: Page;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-models-e2e-"));
  const root = path.join(work, "cdn");
  await buildMetaTree(root);
  // 7B-chat: one large pattern shard, so progress, pause and resume can be watched.
  await addLargeChatShard(root, BIG);
  // The real tiny Llama 3.1 checkpoint in Meta's CLI layout, for the download → convert → chat test.
  await buildLlama3Folder(root, { folder: "Llama-3.1-8B-Instruct", from: await tinyLlama3Dir("meta", "llama3.1") });
  cdn = await startMetaCdn({ root });
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1 });
  await createUser({ email: "ada@example.com", name: "Ada", password: "correct-horse", role: "admin" });
  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, app.baseUrl, "ada@example.com", "correct-horse");
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await cdn?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

const meta = () => page.locator('form[aria-label="From Meta"]');
const lastToast = () => page.locator('[data-testid="toasts"] .toast > span').last();
/** Picks an item of a model row's action menu. */
const chooseAction = async (row: Locator, name: string) => {
  await row.locator('button[aria-haspopup="menu"]').click();
  await row.getByRole("menuitem", { name, exact: true }).click();
};

describe("Downloads and Models pages", () => {
  it("shows a pasted link's expiry as a live countdown and warns when the download would outlast it", async () => {
    await page.click("nav >> text=Downloads");
    await page.waitForURL(/\/downloads$/);
    await meta().locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    const countdown = meta().locator('[data-testid="countdown"]');
    await expect.poll(() => countdown.textContent()).toMatch(/^expires in 59m \d+s$/);
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);

    await meta().locator("label", { hasText: "70B-chat" }).locator("input").check();
    await meta().locator('input[aria-label="assumed speed MiB/s"]').fill("10");
    await expect.poll(() => meta().locator('[role="alert"]').textContent()).toContain("will probably outlast the link");
    await meta().locator('input[aria-label="assumed speed MiB/s"]').fill("1000");
    await expect.poll(() => meta().locator('[role="alert"]').count()).toBe(0);
    await meta().locator("label", { hasText: "70B-chat" }).locator("input").uncheck();

    await meta().locator('textarea[aria-label="signed URL"]').fill("https://download.llamameta.net/*?Policy=x");
    await expect.poll(() => meta().locator(".error").textContent()).toContain("not a Meta download URL");

    // A link on a family's own host switches the form to that family's models.
    const family = meta().locator('select[aria-label="model family"]');
    const lightweight = cdn.signUrl(new Date(Date.now() + 3600_000)).replace(cdn.url, "https://llama3-2-lightweight.llamameta.net");
    await meta().locator('textarea[aria-label="signed URL"]').fill(lightweight);
    await expect.poll(() => family.inputValue()).toBe("llama-3.2");
    await expect.poll(() => meta().locator("label", { hasText: /^Llama3\.2-1B-Instruct \(1 shard\)/ }).count()).toBe(1);
    expect(await meta().locator("label", { hasText: /^7B-chat/ }).count()).toBe(0);
    await family.selectOption("llama-2");
    await expect.poll(() => meta().locator("label", { hasText: /^7B-chat/ }).count()).toBe(1);
  });

  it("downloads with a progress bar per file, pauses and resumes from the partial file", async () => {
    cdn.options.throttleBps = 6 * MiB;
    await meta().locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    await meta().locator("label", { hasText: /^7B-chat/ }).locator("input").check();
    await meta().locator("button", { hasText: "Download" }).click();

    const card = page.locator('[data-job-id^="download-meta-7b-chat--"]');
    const bar = card.locator('[data-file="llama-2-7b-chat/consolidated.00.pth"] [role="progressbar"]');
    const seen = new Set<number>();
    await expect
      .poll(async () => {
        seen.add(Number(await bar.getAttribute("aria-valuenow")));
        return [...seen].filter((p) => p > 0 && p < 100).length;
      }, { timeout: 60_000, interval: 300 })
      .toBeGreaterThan(1);
    await expect.poll(() => card.locator('[data-file="llama-2-7b-chat/consolidated.00.pth"]').textContent()).toMatch(/MiB\/s · ETA \d+s/);
    expect(await card.locator('[data-file="tokenizer.model"]').count()).toBe(1);

    await card.locator("button", { hasText: "Pause" }).click();
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 30_000 }).toBe("paused");
    const paused = cdn.stats.bytesByPath["llama-2-7b-chat/consolidated.00.pth"] ?? 0;
    expect(paused).toBeLessThan(BIG);
    cdn.options.throttleBps = undefined;
    await card.locator("button", { hasText: "Resume" }).click();
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 60_000 }).toBe("completed");
    expect(cdn.stats.bytesByPath["llama-2-7b-chat/consolidated.00.pth"]).toBeLessThanOrEqual(1.1 * BIG);
  });

  it("lists models with checksum status, converts one and shows the GGUF detail, then deletes", async () => {
    await meta().locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    await meta().locator("label", { hasText: /^7B \(/ }).locator("input").check();
    await meta().locator("button", { hasText: "Download" }).click();
    await expect.poll(() => page.locator('[data-job-id^="download-meta-7b--"]').getAttribute("data-status"), { timeout: 60_000 }).toBe("completed");

    await page.click("nav >> text=Models");
    await page.waitForURL(/\/models$/);
    const row = page.locator('tr[data-model="llama-2-7b"]');
    await expect.poll(() => row.getAttribute("data-status")).toBe("verified");
    expect(await row.textContent()).toContain("3 verified");
    expect(await page.locator('[data-testid="disk-use"]').textContent()).toMatch(/2 models · \d+\.\d MiB on disk/);
    // The one embedded worker's store holds what it downloaded.
    const { stores } = await page.evaluate(() => fetch("/api/stores").then((r) => r.json() as Promise<{ stores: { workers: { name: string }[] }[] }>));
    expect(stores).toHaveLength(1);
    const worker = stores[0]!.workers[0]!.name;
    await expect.poll(() => row.locator('[data-testid="holders"]').textContent()).toBe(`${worker} online`);

    await chooseAction(row, "Convert…");
    await row.locator('select[aria-label="convert type for llama-2-7b"]').selectOption("q8_0");
    await row.locator("button", { hasText: "Start conversion" }).click();
    await expect.poll(() => lastToast().textContent()).toBe("converting llama-2-7b to llama-2-7b-q8_0");
    const gguf = page.locator('tr[data-model="llama-2-7b-q8_0"]');
    // The conversion's progress is on the new model's row while it runs, and goes when it ends.
    await expect.poll(() => gguf.locator('[data-testid="row-job"]').count()).toBe(1);
    await expect.poll(() => gguf.getAttribute("data-status"), { timeout: 120_000 }).toMatch(/^(verified|failed)$/);
    const jobs = () => page.evaluate(() => fetch("/api/jobs?queue=convert").then((r) => r.text()));
    expect(await gguf.getAttribute("data-status"), await jobs()).toBe("verified");
    expect(await gguf.textContent()).toContain("from llama-2-7b");
    expect(await gguf.locator('[data-testid="family"]').textContent()).toBe("Llama 2");
    expect(await gguf.locator('[data-testid="context-length"]').textContent()).toBe("4,096 tokens");
    expect(await gguf.locator('[data-testid="quant"]').textContent()).toBe("Q8_0");
    expect(await gguf.locator('[data-testid="row-job"]').count()).toBe(0);

    await gguf.locator("a", { hasText: "llama-2-7b-q8_0" }).click();
    await page.waitForURL(/\/models\/[^/]+$/);
    expect(await page.textContent("main")).toContain("file type Q8_0");
    expect(await page.locator('[data-testid="family"]').textContent()).toContain("Llama 2");
    expect(await page.locator('[data-testid="context-length"]').textContent()).toContain("context 4,096 tokens");
    expect(await page.locator("tr[data-tensor]").count()).toBe(21);
    expect(await page.locator('tr[data-tensor="token_embd.weight"]').textContent()).toContain("[64, 32000]");
    expect(await page.locator("main").textContent()).toContain("general.architecture");
    expect(await page.locator('[data-testid="holders-table"] tbody tr').count()).toBe(1);
    expect(await page.locator('[data-testid="holders-table"] tbody tr').textContent()).toContain(worker);

    await page.click("text=← Models");
    await page.waitForURL(/\/models$/);
    await chooseAction(gguf, "Delete");
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => lastToast().textContent()).toMatch(/deleted llama-2-7b-q8_0: \d+\.\d MiB freed/);
    await expect.poll(() => gguf.count()).toBe(0);
  });

  it("shows a failed download's error and cancels it for good, deleting its partial files", async () => {
    await page.click("nav >> text=Downloads");
    await page.waitForURL(/\/downloads$/);
    // The stand-in CDN has no 13B: the job fails with the server's reason.
    await meta().locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    await meta().locator("label", { hasText: /^13B \(/ }).locator("input").check();
    await meta().locator("button", { hasText: "Download" }).click();
    const card = page.locator('[data-job-id^="download-meta-13b--"]');
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 60_000 }).toBe("failed");
    expect(await card.locator('[role="alert"]').textContent()).toMatch(/HTTP 404 .*NoSuchKey/);
    await card.locator("button", { hasText: "Cancel" }).click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(() => card.count()).toBe(0);
    await expect.poll(async () => (await page.evaluate(() => fetch("/api/models").then((r) => r.json() as Promise<{ models: { name: string }[] }>))).models.map((m) => m.name)).not.toContain("llama-2-13b");
  });
  it("downloads a Llama 3.1 model from Meta's link, converts it, and chats with it in Llama 3's format", async () => {
    const ref = (await llama3Ref()).variants["llama3.1"];
    await page.click("nav >> text=Downloads");
    await meta().locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    await meta().locator('select[aria-label="model family"]').selectOption("llama-3.1");
    await meta().locator("label", { hasText: /^Llama3\.1-8B-Instruct \(/ }).locator("input").check();
    await meta().locator("button", { hasText: "Download" }).click();
    await expect.poll(() => page.locator('[data-job-id^="download-meta-llama3.1-8b-instruct--"]').getAttribute("data-status"), { timeout: 60_000 }).toBe("completed");

    await page.click("nav >> text=Models");
    await page.waitForURL(/\/models$/);
    const row = page.locator('tr[data-model="Llama-3.1-8B-Instruct"]');
    await expect.poll(() => row.getAttribute("data-status")).toBe("verified");
    await chooseAction(row, "Convert…");
    await row.locator('select[aria-label="convert type for Llama-3.1-8B-Instruct"]').selectOption("f16");
    await row.locator("button", { hasText: "Start conversion" }).click();
    const gguf = page.locator('tr[data-model="Llama-3.1-8B-Instruct-f16"]');
    await expect.poll(() => gguf.getAttribute("data-status"), { timeout: 120_000 }).toBe("verified");
    expect(await gguf.locator('[data-testid="family"]').textContent()).toBe("Llama 3.1");
    expect(await gguf.locator('[data-testid="context-length"]').textContent()).toBe("131,072 tokens");

    await page.click("nav >> text=Playground");
    await page.waitForURL(/\/playground$/);
    await page.locator('select[aria-label="model"]').selectOption("Llama-3.1-8B-Instruct-f16");
    expect(await page.locator('select[aria-label="chat format"]').inputValue()).toBe("auto");
    await sendPlaygroundChat(page, { messages: ref.chat.messages, maxTokens: ref.chat.generated_ids.length });
    // The worker's prompt was Llama 3's header format for this conversation: transformers' apply_chat_template ids
    // have this length, and the greedy reply to them (16 tokens, compared in playground.e2e.ts) came back.
    const m = await db().message.findFirstOrThrow({ where: { role: "assistant" }, orderBy: { createdAt: "desc" } });
    expect(m.tokensIn).toBe(ref.chat.input_ids.length);
    expect(m.tokensOut).toBe(ref.chat.generated_ids.length);
  });
});
