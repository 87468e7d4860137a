import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { launchBrowser } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";

let app: AppHandle;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1 });
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("first run in a browser", () => {
  it("creates the first admin on the setup page, signs out and back in", async () => {
    await page.goto(app.baseUrl);
    await page.waitForURL(/\/setup$/);
    await page.fill('input[name="name"]', "Ada Admin");
    await page.fill('input[name="email"]', "ada@example.com");
    await page.fill('input[name="password"]', "correct-horse");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${app.baseUrl}/`);
    await page.click("text=Sign out");
    await page.waitForURL(/\/login$/);
    await page.fill('input[name="email"]', "ada@example.com");
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent('.error[role="alert"]')).toContain("wrong email or password");
    await page.fill('input[name="password"]', "correct-horse");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${app.baseUrl}/`);
    expect(await page.textContent("h1")).toBe("Overview");
  });

  it("shows one online worker on the Overview", async () => {
    const card = page.locator('[data-testid="worker-card"][data-online="true"]');
    await card.waitFor({ timeout: 30_000 });
    expect(await card.count()).toBe(1);
    expect(await card.textContent()).toContain("online");
    // Once the worker has looked at its llama.cpp build: whether it samples a decode step in one native call.
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toMatch(/native batch sampling|per-sequence sampling \(prebuilt llama\.cpp\)/);
  });

  it("enqueues an echo job from Settings → Maintenance and watches its progress bar move to completion on the Jobs page", async () => {
    await page.click("nav >> text=Settings");
    await page.getByRole("tab", { name: "Maintenance" }).click();
    await page.getByLabel("Echo job length (seconds)").fill("6");
    await page.click("text=Enqueue echo job");
    await expect.poll(() => page.textContent('[data-testid="toasts"]')).toMatch(/queued maintenance-/);
    await page.click('nav >> text=Jobs');
    await page.waitForURL(/\/jobs$/);
    const row = page.locator("tr[data-job-id]").first();
    const bar = row.locator('[role="progressbar"]');
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          seen.push(Number(await bar.getAttribute("aria-valuenow")));
          return row.getAttribute("data-status");
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBe("completed");
    const moving = seen.filter((p) => p > 0 && p < 100);
    expect(new Set(moving).size, `progress values seen: ${seen.join(",")}`).toBeGreaterThan(1);
    expect(Number(await bar.getAttribute("aria-valuenow"))).toBe(100);
    expect(await row.locator('[data-testid="attempts"]').textContent()).toBe("1");
  });
});
