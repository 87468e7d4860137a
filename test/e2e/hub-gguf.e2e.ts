import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { buildHfGgufRepo } from "../servers/hf-gguf-repo";
import { startHfHub, type HfHub } from "../servers/hf-hub";

// A ready-made GGUF through the browser: list a Hub repo's GGUFs on the Downloads page, pick one, and chat with it.

const REPO = "test-org/tiny-llama-GGUF";
let app: AppHandle;
let hub: HfHub;
let browser: Browser;
let page: Page;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-hub-gguf-e2e-"));
  await buildHfGgufRepo(path.join(work, "repo"));
  hub = await startHfHub({ repos: [{ name: REPO, dir: path.join(work, "repo") }] });
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url, INFERENCE_THREADS: "1" } });
  await createUser({ email: "ada@example.com", name: "Ada", password: "correct-horse", role: "admin" });
  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, app.baseUrl, "ada@example.com", "correct-horse");
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hub?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("GGUF from the Hub in the browser", () => {
  it("lists the quants with sizes, downloads the picked one and chats with it in the playground", async () => {
    await page.click("nav >> text=Downloads");
    const hf = page.locator('form[aria-label="From Hugging Face"]');
    await hf.locator('input[aria-label="repo"]').fill(REPO);
    await hf.locator("text=List GGUF files").click();
    const picker = hf.locator('fieldset[aria-label="GGUF files"]');
    await picker.waitFor();
    const labels = await picker.locator("label").allInnerTexts();
    expect(labels.map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "none (checkpoint files by the globs)",
      expect.stringMatching(/^BF16 tiny-llama-BF16\.gguf \d/),
      expect.stringMatching(/^F16 tiny-llama-F16\.gguf \d/),
      expect.stringMatching(/^Q4_0 tiny-llama-Q4_0\.gguf \d/),
      expect.stringMatching(/^Q8_0 tiny-llama-Q8_0\.gguf \d/),
      expect.stringMatching(/^tiny-llama-split tiny-llama-split \(2 parts\) \d/),
    ]);
    await picker.locator('input[value="tiny-llama-Q8_0.gguf"]').check();
    await hf.locator("button", { hasText: "Download" }).click();

    await page.click("nav >> text=Models");
    const row = page.locator("tr", { hasText: `${REPO}:Q8_0` });
    await expect.poll(() => row.locator(".status.verified").count(), { timeout: 120_000 }).toBe(1);
    expect(await row.locator('[data-testid="architecture"]').innerText()).toBe("llama");

    await page.click("nav >> text=Playground");
    await page.selectOption('select[aria-label="model"]', `${REPO}:Q8_0`);
    await page.selectOption('select[aria-label="chat format"]', "llama2");
    await page.fill('textarea[aria-label="message"]', "Hello there");
    await page.click("button:has-text('Send')");
    const answer = page.locator('[data-testid="messages"] [data-role="assistant"]');
    await expect.poll(() => answer.locator(".muted").count(), { timeout: 120_000 }).toBe(1);
    expect((await answer.innerText()).length).toBeGreaterThan("assistant".length);
  }, 300_000);
});
