import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { TEST_PASSWORD, TestClient } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel, TINY_HF_DIR } from "../helpers/tiny-gguf";
import { startHfHub, type HfHub } from "../servers/hf-hub";
import { startMetaCdn, type MetaCdn } from "../servers/meta-cdn";
import { buildMetaTree } from "../servers/meta-fixture";

// Every page at a desktop and a phone size: no console or page error, no sideways scroll on the phone, no field
// without a label. A screenshot of each page and size is kept under test-results/screenshots/walk/ (git-ignored).

const SHOTS = path.resolve(import.meta.dirname, "../../test-results/screenshots/walk");
const SIZES = [
  { name: "desktop", width: 1400, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;
type Size = (typeof SIZES)[number];
const ADMIN = "ada@example.com";
const HF_REPO = "test-org/tiny-llama";

let app: AppHandle;
let dataDir: string;
let hub: HfHub;
let cdn: MetaCdn;
let work: string;
let browser: Browser;
let ggufId: string;
let runId: string;

beforeAll(async () => {
  hub = await startHfHub({ repos: [{ name: HF_REPO, dir: TINY_HF_DIR }] });
  work = await mkdtemp(path.join(os.tmpdir(), "depot-walk-e2e-"));
  await buildMetaTree(work);
  cdn = await startMetaCdn({ root: work });
  const env = await setupTestEnv();
  dataDir = env.dataDir;
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url } });
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hub?.stop();
  await cdn?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

/** A page of `size` that records every console error, page error and failed response as a problem. */
async function openPage(size: Size): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  // A reader far from the server's locale and time zone: any time or number the server formats its own way and the
  // browser formats another is a hydration error (React #418) here.
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: "de-DE", timezoneId: "Pacific/Auckland" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => void problems.push(`page error: ${e.message}`));
  page.on("response", (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`)));
  return { context, page, problems };
}

/**
 * Waits for hydration (the theme toggle names the theme to switch to only once React runs in the browser), then
 * returns what is wrong with the page as it stands: sideways scroll on a narrow screen, fields without a label.
 */
async function inspect(page: Page, size: Size): Promise<string[]> {
  await page.locator('[data-testid="theme-toggle"][aria-label^="Switch to"]').first().waitFor();
  const found = await page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      const wide = [...document.querySelectorAll<HTMLElement>("body *")]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !el.closest("table"))
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(" ").join(".")}` : ""}`);
      out.push(`horizontal scroll: ${root.scrollWidth} > ${root.clientWidth} (${wide.join(", ")})`);
    }
    for (const el of document.querySelectorAll<HTMLInputElement>("input, select, textarea")) {
      if (el.type === "hidden") continue;
      const labelled = [...(el.labels ?? [])].some((l) => l.textContent?.trim()) || el.getAttribute("aria-label")?.trim() || el.getAttribute("aria-labelledby");
      if (!labelled) out.push(`unlabeled ${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ""}${el.type ? `[type=${el.type}]` : ""}`);
    }
    return out;
  });
  return size.width <= 800 ? found : found.filter((p) => !p.startsWith("horizontal scroll"));
}

/** Checks the page as it stands and saves its screenshot; returns its problems, each prefixed with the page name. */
async function check(page: Page, size: Size, name: string, problems: string[]): Promise<string[]> {
  const found = [...(await inspect(page, size)), ...problems.splice(0)];
  await page.screenshot({ path: path.join(SHOTS, `${size.name}-${name}.png`), fullPage: true });
  return found.map((p) => `${size.name} ${name}: ${p}`);
}

describe("a walk through every page", () => {
  it("shows the setup page to a fresh instance, then an Overview that says what to do first", async () => {
    const failures: string[] = [];
    for (const size of SIZES) {
      const { context, page, problems } = await openPage(size);
      await page.goto(`${app.baseUrl}/setup`);
      failures.push(...(await check(page, size, "setup", problems)));
      await context.close();
    }
    // The favicon: the app icon, also where a browser asks for /favicon.ico (no 404 on any page).
    for (const icon of ["/icon.svg", "/favicon.ico"]) {
      const res = await fetch(`${app.baseUrl}${icon}`, { redirect: "manual" });
      expect([icon, res.status, res.headers.get("content-type")]).toEqual([icon, 200, "image/svg+xml"]);
    }
    await createUser({ email: ADMIN, name: "Ada", password: TEST_PASSWORD, role: "admin" });
    const { context, page, problems } = await openPage(SIZES[0]);
    await page.goto(`${app.baseUrl}/login`);
    failures.push(...(await check(page, SIZES[0], "login", problems)));
    await signIn(page, app.baseUrl, ADMIN, TEST_PASSWORD);
    const start = page.locator('[data-testid="get-started"]');
    await start.waitFor();
    expect(await start.locator('a[href="/settings?tab=credentials"]').textContent()).toBe("Add a Hugging Face token");
    expect(await start.locator('a[href="/downloads"]').textContent()).toBe("Pull a model");
    failures.push(...(await check(page, SIZES[0], "overview-empty", problems)));
    // The debugging echo job lives under Settings → Maintenance now, not on the home page.
    expect(await page.locator("text=Enqueue echo job").count()).toBe(0);
    await context.close();
    expect(failures).toEqual([]);
  });

  it("seeds downloads (the Hub, Meta), a model, a run and an echo job (from Settings → Maintenance, with a toast)", async () => {
    const api = new TestClient(app.baseUrl);
    await api.login(ADMIN, TEST_PASSWORD);
    const { jobId } = await api.json<{ jobId: string }>("POST", "/api/downloads/hf", { repo: HF_REPO });
    // A Meta card shows its link's expiry as a countdown: live time that the server render must not fix.
    const meta = await api.json<{ jobId: string }>("POST", "/api/downloads/meta", { url: cdn.signUrl(new Date(Date.now() + 3600_000)), models: ["7B"] });
    ggufId = (await registerTinyModel({ dataDir })).id;
    runId = (
      await api.json<{ id: string }>("POST", "/api/runs", {
        model: ggufId,
        mode: "completion",
        params: { temperature: 0, maxTokens: 4 },
        upload: { format: "jsonl", content: ['{"prompt": "Once upon a time"}', '{"prompt": "The colour of the sky"}'].join("\n") },
      })
    ).id;

    const { context, page } = await openPage(SIZES[0]);
    await signIn(page, app.baseUrl, ADMIN, TEST_PASSWORD);
    await page.goto(`${app.baseUrl}/settings?tab=maintenance`);
    await page.getByLabel("Echo job length (seconds)").fill("1");
    await page.click("text=Enqueue echo job");
    await expect.poll(() => page.locator('[data-testid="toasts"]').textContent()).toMatch(/queued maintenance-.*: follow it on the Jobs page/);
    await context.close();

    await expect
      .poll(async () => (await api.json<{ downloads: { id: string; status: string }[] }>("GET", "/api/downloads")).downloads.find((d) => d.id === jobId)?.status, { timeout: 90_000 })
      .toBe("completed");
    await expect
      .poll(async () => (await api.json<{ downloads: { id: string; status: string }[] }>("GET", "/api/downloads")).downloads.find((d) => d.id === meta.jobId)?.status, { timeout: 90_000 })
      .toBe("completed");
    await expect.poll(async () => (await api.json<{ status: string }>("GET", `/api/runs/${runId}`)).status, { timeout: 90_000 }).toBe("completed");
  });

  for (const size of SIZES) {
    it(`walks every dashboard page at ${size.width}×${size.height}`, async () => {
      const { context, page, problems } = await openPage(size);
      const failures: string[] = [];
      await page.goto(`${app.baseUrl}/login`);
      failures.push(...(await check(page, size, "login", problems)));
      await signIn(page, app.baseUrl, ADMIN, TEST_PASSWORD);
      const pages: [string, string][] = [
        ["overview", "/"],
        ["models", "/models"],
        ["model", `/models/${ggufId}`],
        ["downloads", "/downloads"],
        ["jobs", "/jobs"],
        ["runs", "/runs"],
        ["run", `/runs/${runId}`],
        ["playground", "/playground"],
        ["audit", "/audit"],
      ];
      for (const [name, href] of pages) {
        await page.goto(`${app.baseUrl}${href}`);
        failures.push(...(await check(page, size, name, problems)));
      }
      await page.goto(`${app.baseUrl}/settings`);
      for (const tab of ["Users", "Groups", "API keys", "Credentials", "Maintenance"]) {
        await page.getByRole("tab", { name: tab }).click();
        await expect.poll(() => page.getByRole("tab", { name: tab }).getAttribute("aria-selected")).toBe("true");
        failures.push(...(await check(page, size, `settings-${tab.toLowerCase().replace(" ", "-")}`, problems)));
      }
      await context.close();
      expect(failures).toEqual([]);
    });
  }

  it("on a phone, the navigation is a menu button that opens the links and closes once one is followed", async () => {
    const { context, page } = await openPage(SIZES[1]);
    await signIn(page, app.baseUrl, ADMIN, TEST_PASSWORD);
    const menu = page.getByRole("button", { name: "Menu" });
    const jobs = page.locator("nav >> text=Jobs");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await jobs.isVisible()).toBe(false);
    // Closed, the navigation is one slim bar above the page.
    expect((await page.locator("nav.sidebar").boundingBox())!.height).toBeLessThan(64);
    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await jobs.click();
    await page.waitForURL(/\/jobs$/);
    await expect.poll(() => menu.getAttribute("aria-expanded")).toBe("false");
    expect(await jobs.isVisible()).toBe(false);
    await context.close();
  });

  it("follows the system theme, and a chosen theme survives a reload, applied before the page is painted", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: "light" });
    const page = await context.newPage();
    await signIn(page, app.baseUrl, ADMIN, TEST_PASSWORD);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const toggle = page.locator('[data-testid="theme-toggle"]');
    await expect.poll(() => toggle.getAttribute("aria-label")).toBe("Switch to dark theme");
    const light = await background();
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-label")).toBe("Switch to light theme");
    const dark = await background();
    expect(dark).not.toBe(light);
    expect(await page.evaluate(() => localStorage.getItem("depot-theme"))).toBe("dark");
    // The stored theme is on <html> in the first paint: read before any of the page's own scripts ran.
    await page.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => ((window as unknown as { themeAtLoad: string }).themeAtLoad = document.documentElement.dataset.theme ?? ""));
    });
    await page.reload();
    expect(await page.evaluate(() => (window as unknown as { themeAtLoad: string }).themeAtLoad)).toBe("dark");
    expect(await background()).toBe(dark);
    await context.close();
  });
});
