import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel, tinyGguf } from "../helpers/tiny-gguf";

let app: AppHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let alpha: { id: string; name: string };
let beta: { id: string; name: string };
let hf: { id: string };

const lastToast = () => page.locator('[data-testid="toasts"] .toast > span').last();
const row = (name: string) => page.locator(`tr[data-model="${name}"]`);
const menuButton = (r: Locator) => r.locator('button[aria-haspopup="menu"]');
const chooseAction = async (r: Locator, name: string) => {
  await menuButton(r).click();
  await r.getByRole("menuitem", { name, exact: true }).click();
};

beforeAll(async () => {
  const env = await setupTestEnv();
  const bytes = (await stat(await tinyGguf())).size;
  for (const name of ["alpha-gguf", "beta-gguf"]) {
    const m = await registerTinyModel({ dataDir: env.dataDir, name });
    await db().modelFile.create({ data: { modelId: m.id, path: `${name}.gguf`, bytes, status: "verified" } });
    await db().model.update({ where: { id: m.id }, data: { bytes, parameterCount: 6_700_000_000n, metadataJson: JSON.stringify({ fileType: "F16", contextLength: 2048, architecture: "llama" }) } });
    if (name === "alpha-gguf") alpha = m;
    else beta = m;
  }
  // A Meta download that failed: the Downloads page keeps it, the inventory does not list it.
  await db().model.create({ data: { name: "llama-2-70b", source: "meta", format: "meta", status: "failed", directory: "meta/x/llama-2-70b", files: { create: [{ path: "consolidated.00.pth" }] } } });
  const config = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../fixtures/tiny-llama/hf/config.json"), "utf8")) as unknown;
  hf = await db().model.create({ data: { name: "org-tiny-llama", source: "hf", format: "hf", status: "ready", repo: "org/tiny-llama", directory: "hf/x", metadataJson: JSON.stringify({ commit: "abc", config }) } });
  app = await startApp(env, { workers: 0 });
  await createUser({ email: "ada@example.com", name: "Ada", password: "correct-horse", role: "admin" });
  browser = await launchBrowser();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.baseUrl });
  page = await context.newPage();
  await signIn(page, app.baseUrl, "ada@example.com", "correct-horse");
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("Models page actions", () => {
  it("lists the models with their columns, leaves the failed download out, searches and sorts", async () => {
    await page.goto(`${app.baseUrl}/models`);
    await expect.poll(() => row("alpha-gguf").count()).toBe(1);
    expect(await row("llama-2-70b").count()).toBe(0);
    const a = row("alpha-gguf");
    expect(await a.locator('[data-testid="family"]').textContent()).toBe("Llama 2");
    expect(await a.locator('[data-testid="parameters"]').textContent()).toBe("6.7 B");
    expect(await a.locator('[data-testid="quant"]').textContent()).toBe("F16");
    expect(await a.locator('[data-testid="context-length"]').textContent()).toBe("2,048 tokens");

    await page.fill('input[aria-label="search models"]', "beta");
    await expect.poll(() => page.locator("tr[data-model]").count()).toBe(1);
    expect(await row("beta-gguf").count()).toBe(1);
    await page.fill('input[aria-label="search models"]', "");
    await page.locator('select[aria-label="sort models"]').selectOption("name");
    await expect.poll(() => page.locator("tr[data-model]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-model")))).toEqual(["alpha-gguf", "beta-gguf", "org-tiny-llama"]);
    // Every field is labelled.
    const unlabelled = await page.locator("main input, main select").evaluateAll((els) => els.filter((e) => !e.getAttribute("aria-label") && !e.closest("label")).length);
    expect(unlabelled).toBe(0);
  });

  it("opens one accessible action menu per row, closed again by Escape", async () => {
    const button = menuButton(row("alpha-gguf"));
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    await button.click();
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    const items = await row("alpha-gguf").getByRole("menuitem").allInnerTexts();
    expect(items).toEqual(["Details", "Chat", "Run batch", "Copy API model id", "Download file", "Verify checksums", "Delete"]);
    await page.keyboard.press("Escape");
    await expect.poll(() => row("alpha-gguf").getByRole("menu").count()).toBe(0);
    expect(await button.getAttribute("aria-expanded")).toBe("false");
  });

  it("copies the API model id with a toast, and downloads the GGUF file", async () => {
    await chooseAction(row("beta-gguf"), "Copy API model id");
    await expect.poll(() => lastToast().textContent()).toBe(`copied “beta-gguf”: use it as "model" with /v1`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("beta-gguf");

    const download = page.waitForEvent("download");
    await chooseAction(row("beta-gguf"), "Download file");
    const d = await download;
    expect(d.suggestedFilename()).toBe("beta-gguf.gguf");
    expect((await stat(await d.path())).size).toBe((await stat(await tinyGguf())).size);
  });

  it("opens the playground and the new run form with the model selected", async () => {
    for (const m of [alpha, beta]) {
      await page.goto(`${app.baseUrl}/models`);
      await chooseAction(row(m.name), "Chat");
      await page.waitForURL(/\/playground\?model=/);
      await expect.poll(() => page.locator('select[aria-label="model"]').inputValue()).toBe(m.name);
      await page.goto(`${app.baseUrl}/models`);
      await chooseAction(row(m.name), "Run batch");
      await page.waitForURL(/\/runs\?model=/);
      await expect.poll(() => page.locator('main select[aria-label="model"]').inputValue()).toBe(m.name);
    }
  });

  it("asks before deleting: Cancel keeps the model, Delete removes it with a toast", async () => {
    await page.goto(`${app.baseUrl}/models`);
    await chooseAction(row("beta-gguf"), "Delete");
    expect(await page.locator("dialog.confirm h3").textContent()).toBe("Delete beta-gguf?");
    await page.click('[data-testid="confirm-cancel"]');
    expect(await db().model.count({ where: { id: beta.id } })).toBe(1);
    expect(await row("beta-gguf").count()).toBe(1);
    await chooseAction(row("beta-gguf"), "Delete");
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => lastToast().textContent()).toMatch(/^deleted beta-gguf: /);
    await expect.poll(() => row("beta-gguf").count()).toBe(0);
    expect(await db().model.count({ where: { id: beta.id } })).toBe(0);
  });

  it("summarizes an HF checkpoint's config on its page, the raw JSON folded away", async () => {
    await page.goto(`${app.baseUrl}/models/${hf.id}`);
    const fact = (label: string) => page.locator(`[data-testid="config-summary"] [data-fact="${label}"] dd`).textContent();
    expect(await fact("architecture")).toBe("LlamaForCausalLM (llama)");
    expect(await fact("attention heads")).toBe("4 (4 KV heads)");
    expect(await fact("context length")).toBe("2,048 tokens");
    expect(await page.locator("main details pre").isVisible()).toBe(false);
    await page.click("text=Raw metadata (JSON)");
    expect(await page.locator("main details pre").textContent()).toContain('"num_hidden_layers": 2');
  });

  it("becomes a card list without horizontal scroll at 390 px", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.baseUrl}/models`);
    await expect.poll(() => row("alpha-gguf").count()).toBe(1);
    const table = page.locator('table[aria-label="models"]');
    expect(await table.locator("thead").evaluate((e) => getComputedStyle(e).display)).toBe("none");
    expect(await table.evaluate((t) => t.scrollWidth <= t.clientWidth + 1)).toBe(true);
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});

describe("Jobs page", () => {
  let owner: string;
  const job = (id: string, data: { kind: string; status: string; payload: unknown; progressJson?: string; finishedAt?: Date }) =>
    db().job.create({ data: { id, queue: data.kind === "run-item" ? "inference" : "convert", kind: data.kind, status: data.status, payloadSummary: JSON.stringify(data.payload), userId: owner, progress: data.status === "completed" ? 100 : 10, progressJson: data.progressJson, finishedAt: data.finishedAt } });

  beforeAll(async () => {
    owner = (await db().user.findFirstOrThrow({ where: { email: "ada@example.com" } })).id;
    await job("convert-waiting", { kind: "convert", status: "waiting", payload: { kind: "convert", modelId: alpha.id, type: "q8_0", outModelId: alpha.id } });
    await job("convert-done", {
      kind: "convert",
      status: "completed",
      payload: { kind: "convert", modelId: alpha.id, type: "f16", outModelId: alpha.id },
      progressJson: JSON.stringify({ pct: 100, speedBps: 1_000_000, etaSeconds: 0 }),
      finishedAt: new Date("2026-01-02T03:04:05Z"),
    });
    const run = await db().run.create({ data: { name: "eval set", modelId: alpha.id, modelName: alpha.name, mode: "completion", paramsJson: "{}", total: 3 } });
    for (let i = 0; i < 3; i++) {
      const item = await db().runItem.create({ data: { runId: run.id, index: i, inputJson: JSON.stringify({ prompt: `p${i}` }) } });
      await job(`item-${i}`, { kind: "run-item", status: i === 0 ? "completed" : "waiting", payload: { kind: "run-item", runItemId: item.id } });
    }
  });

  it("names every job, groups a run's items under it, dates its times and gives a finished job no ETA", async () => {
    await page.goto(`${app.baseUrl}/jobs`);
    const waiting = page.locator('tr[data-job-id="convert-waiting"]');
    await expect.poll(() => waiting.locator('[data-testid="job-title"]').textContent()).toBe("alpha-gguf → alpha-gguf");
    const done = page.locator('tr[data-job-id="convert-done"]');
    expect(await done.locator('[data-testid="progress-text"]').textContent()).not.toContain("ETA");
    expect(await done.locator("time").last().getAttribute("datetime")).toBe("2026-01-02T03:04:05.000Z");
    expect(await done.locator("time").last().textContent()).toMatch(/Jan [12], 2026/); // the date too, in the reader's locale

    const group = page.locator("tr.job-run", { hasText: "run eval set" });
    expect(await group.locator('[data-testid="run-counts"]').textContent()).toBe("3 items: 2 waiting, 1 completed");
    expect(await page.locator('tr[data-job-id^="item-"]').count()).toBe(0);
    await group.getByRole("button", { name: /run eval set/ }).click();
    await expect.poll(() => page.locator('tr[data-job-id^="item-"]').count()).toBe(3);
    expect(await page.locator('tr[data-job-id="item-1"] [data-testid="job-title"]').textContent()).toBe("eval set · item 2");
  });

  it("asks before cancelling and removing: Cancel leaves the job, confirming acts with a toast", async () => {
    const waiting = page.locator('tr[data-job-id="convert-waiting"]');
    await waiting.getByRole("button", { name: "Cancel" }).click();
    await page.click('[data-testid="confirm-cancel"]');
    expect((await db().job.findUniqueOrThrow({ where: { id: "convert-waiting" } })).status).toBe("waiting");
    await waiting.getByRole("button", { name: "Cancel" }).click();
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => waiting.getAttribute("data-status")).toBe("cancelled");
    await expect.poll(() => lastToast().textContent()).toBe("cancelled alpha-gguf → alpha-gguf");

    await waiting.getByRole("button", { name: "Remove" }).click();
    await page.click('[data-testid="confirm-cancel"]');
    expect(await db().job.count({ where: { id: "convert-waiting" } })).toBe(1);
    await waiting.getByRole("button", { name: "Remove" }).click();
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => waiting.count()).toBe(0);
    expect(await db().job.count({ where: { id: "convert-waiting" } })).toBe(0);
    await expect.poll(() => lastToast().textContent()).toBe("removed alpha-gguf → alpha-gguf");
  });
});
