import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { writeSyntheticGguf } from "../helpers/synthetic-gguf";
import { setupTestEnv } from "../helpers/test-env";

let app: AppHandle;
let browser: Browser;
let page: Page;
let work: string;
let gguf: { file: string; size: number; sha256: string };
let dataDir: string;
const lastToast = () => page.locator('[data-testid="toasts"] .toast > span').last();

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-uploads-e2e-"));
  // Three 8 MiB chunks' worth, so the upload can be broken after the first.
  gguf = await writeSyntheticGguf(path.join(work, "page-upload.gguf"), 2, 2_500_000);
  const env = await setupTestEnv();
  dataDir = env.dataDir;
  app = await startApp(env, { workers: 1 });
  await createUser({ email: "mel@example.com", name: "Mel", password: "correct-horse", role: "member" });
  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, app.baseUrl, "mel@example.com", "correct-horse");
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

describe("Models page upload", () => {
  it("uploads a GGUF with progress, resumes it after a dropped connection and a reload, and lists the model", async () => {
    await page.click("nav >> text=Models");
    await page.waitForURL(/\/models$/);
    // The connection drops on the second chunk.
    let puts = 0;
    await page.route("**/api/uploads/*", (route) => (route.request().method() === "PUT" && ++puts === 2 ? route.abort("connectionreset") : route.fallback()));
    await page.setInputFiles('input[aria-label="GGUF file to upload"]', gguf.file);
    await expect.poll(() => lastToast().textContent()).toMatch(/upload of page-upload\.gguf stopped: .* pick the file again to resume/);
    expect(await page.locator('[data-testid="toasts"] .toast').last().getAttribute("data-kind")).toBe("error");
    await page.unroute("**/api/uploads/*");

    await page.reload();
    const pending = page.locator('[data-testid="upload-pending"]');
    await expect.poll(() => pending.textContent()).toMatch(/unfinished: page-upload\.gguf, 8(\.0)? MiB of 19(\.\d)? MiB/);
    // Picking the same file continues from the server's 8 MiB: only the rest is sent.
    const sent: string[] = [];
    page.on("request", (r) => void (r.method() === "PUT" && sent.push(r.headers()["content-range"] ?? "")));
    // Chunks slowed down, so the progress bar can be seen between them.
    await page.route("**/api/uploads/*", async (route) => {
      if (route.request().method() === "PUT") await new Promise((r) => setTimeout(r, 700));
      await route.fallback();
    });
    await page.setInputFiles('input[aria-label="GGUF file to upload"]', gguf.file);
    const bar = page.locator('[role="progressbar"][aria-label="upload of page-upload.gguf"]');
    await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow", { timeout: 1000 }).catch(() => -1))).toBeGreaterThanOrEqual(42);
    await expect.poll(() => lastToast().textContent(), { timeout: 30_000 }).toBe("uploaded page-upload.gguf as page-upload (verified)");
    expect(sent[0]).toBe(`bytes ${8 * 1024 * 1024}-${16 * 1024 * 1024 - 1}/${gguf.size}`);
    await expect.poll(() => page.locator('tr[data-model="page-upload"]').getAttribute("data-status")).toBe("verified");
    expect(await page.locator('[data-testid="upload-pending"]').count()).toBe(0);
    const file = await db().modelFile.findFirstOrThrow({ where: { model: { name: "page-upload" } } });
    expect(file.sha256).toBe(gguf.sha256);
  }, 120_000);

  it("cancels an upload in progress, leaving nothing on the server", async () => {
    const file = path.join(work, "page-cancel.gguf");
    await copyFile(gguf.file, file);
    await page.route("**/api/uploads/*", async (route) => {
      if (route.request().method() === "PUT") await new Promise((r) => setTimeout(r, 1500));
      await route.fallback();
    });
    await page.setInputFiles('input[aria-label="GGUF file to upload"]', file);
    // Cancelling asks first: keeping it lets the upload go on.
    await page.click("text=Cancel upload");
    await page.click('[data-testid="confirm-cancel"]');
    expect(await page.locator('[data-testid="upload-progress"]').count()).toBe(1);
    await page.click("text=Cancel upload");
    await page.click('[data-testid="confirm-ok"]');
    await expect.poll(() => lastToast().textContent()).toBe("upload of page-cancel.gguf cancelled");
    await page.unroute("**/api/uploads/*");
    await expect.poll(() => readdir(path.join(dataDir, "uploads"))).toEqual([]);
    expect(await page.locator('tr[data-model="page-cancel"]').count()).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("depot-upload:")))).toEqual([]);
  }, 60_000);
});
