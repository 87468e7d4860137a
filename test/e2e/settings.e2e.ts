import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { TEST_PASSWORD } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";

// Settings in a browser: every action ends in a toast, destructive ones ask first (Cancel leaves things as they were).

const GOOD = "hf_walk_token_the_hub_knows";
let app: AppHandle;
let hub: HfHub;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hub = await startHfHub({ repos: [], tokens: { [GOOD]: { user: "ada-hf", access: [] } } });
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url } });
  await createUser({ email: "ada@example.com", name: "Ada", password: TEST_PASSWORD, role: "admin" });
  browser = await launchBrowser();
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.baseUrl });
  page = await context.newPage();
  await signIn(page, app.baseUrl, "ada@example.com", TEST_PASSWORD);
  await page.goto(`${app.baseUrl}/settings`);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hub?.stop();
  await closeDb();
});

const toasts = () => page.locator('[data-testid="toasts"]');
const tab = (name: string) => page.getByRole("tab", { name }).click();
/** Answers the confirmation dialog, after checking it asks `title`. */
async function answer(title: string, ok: boolean): Promise<void> {
  const dialog = page.locator("dialog.confirm[open]");
  await expect.poll(() => dialog.locator("h3").textContent()).toBe(title);
  await dialog.locator(ok ? '[data-testid="confirm-ok"]' : '[data-testid="confirm-cancel"]').click();
  await expect.poll(() => dialog.count()).toBe(0);
}

describe("Settings actions", () => {
  it("a user created on Users is offered as a member on Groups without a reload", async () => {
    await tab("Users");
    await page.getByLabel("Email", { exact: true }).fill("bea@example.com");
    await page.getByLabel("Name", { exact: true }).fill("Bea");
    await page.getByLabel("Initial password").fill("amber-lantern-quiet-7");
    await page.click("text=Create user");
    await expect.poll(() => toasts().textContent()).toContain("created bea@example.com");
    await expect.poll(() => page.locator('tr[data-user="bea@example.com"]').count()).toBe(1);

    await tab("Groups");
    await page.getByLabel("Group name").fill("lab");
    await page.click("text=Create group");
    await expect.poll(() => toasts().textContent()).toContain("created group lab");
    const box = page.getByLabel("bea@example.com in lab");
    await box.click();
    await expect.poll(() => box.isChecked()).toBe(true);
    await expect.poll(() => toasts().textContent()).toContain("bea@example.com added to lab");

    await page.locator('tr[data-group="lab"] button', { hasText: "Delete" }).click();
    await answer("Delete group lab?", false);
    expect(await page.locator('tr[data-group="lab"]').count()).toBe(1);
    await page.locator('tr[data-group="lab"] button', { hasText: "Delete" }).click();
    await answer("Delete group lab?", true);
    await expect.poll(() => toasts().textContent()).toContain("deleted group lab");
    await expect.poll(() => page.locator('tr[data-group="lab"]').count()).toBe(0);
  });

  it("a new API key has a copy button; Revoke asks first", async () => {
    await tab("API keys");
    await page.getByLabel("Key name").fill("laptop");
    await page.click("text=Create API key");
    const key = await page.locator('[data-testid="new-api-key"]').textContent();
    expect(key).toMatch(/^depot_/);
    await page.getByRole("button", { name: "Copy API key" }).click();
    await expect.poll(() => toasts().textContent()).toContain("API key copied to the clipboard");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    const row = page.locator('tr[data-key="laptop"]');
    await row.locator("button", { hasText: "Revoke" }).click();
    await answer("Revoke API key laptop?", false);
    expect(await row.locator("button", { hasText: "Revoke" }).count()).toBe(1);
    await row.locator("button", { hasText: "Revoke" }).click();
    await answer("Revoke API key laptop?", true);
    await expect.poll(() => toasts().textContent()).toContain("revoked laptop");
    await expect.poll(() => row.textContent()).toContain("revoked");
    const res = await fetch(`${app.baseUrl}/api/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);
  });

  it("tests a saved Hugging Face token against the Hub: who it is, or that the Hub rejected it", async () => {
    await tab("Credentials");
    const STALE = "hf_revoked_after_it_was_saved";
    hub.options.tokens![STALE] = { user: "ada-hf", access: [] };
    for (const [label, value] of [["good", GOOD], ["stale", STALE]] as const) {
      await page.getByLabel("Label", { exact: true }).fill(label);
      await page.getByLabel("Token", { exact: true }).fill(value);
      await page.click("text=Save credential");
      await expect.poll(() => toasts().textContent()).toContain(`saved ${label}`);
    }
    // Revoked on the Hub after it was saved (a token the Hub rejects outright is never saved).
    delete hub.options.tokens![STALE];
    await page.locator('tr[data-credential="good"] button', { hasText: "Test" }).click();
    await expect.poll(() => toasts().textContent()).toContain("good works: the Hub knows it as ada-hf (read access)");
    await page.locator('tr[data-credential="stale"] button', { hasText: "Test" }).click();
    await expect.poll(() => toasts().locator('[data-kind="error"]').textContent()).toContain("stale: the Hub rejected this token");

    await page.locator('tr[data-credential="stale"] button', { hasText: "Delete" }).click();
    await answer("Delete credential stale?", true);
    await expect.poll(() => toasts().textContent()).toContain("deleted stale");
    await expect.poll(() => page.locator('tr[data-credential="stale"]').count()).toBe(0);
  });

  it("Collect garbage asks first; Cancel sends nothing", async () => {
    await tab("Maintenance");
    const sent: string[] = [];
    page.on("request", (r) => void (r.url().endsWith("/api/maintenance/gc") && sent.push(r.postData() ?? "")));
    await page.getByRole("button", { name: "Collect garbage", exact: true }).click();
    await answer("Collect garbage now?", false);
    expect(sent).toEqual([]);
    await page.getByRole("button", { name: "Collect garbage", exact: true }).click();
    await answer("Collect garbage now?", true);
    await expect.poll(() => toasts().textContent()).toMatch(/garbage collection queued on 1 store\(s\)/);
    expect(sent.map((b) => JSON.parse(b) as unknown)).toEqual([{ dryRun: false }]);
    await expect.poll(() => page.locator('[data-testid="gc-report"]').textContent(), { timeout: 30_000 }).toContain("reclaimed");
  });
});
