import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { registerTinyModel } from "../helpers/tiny-gguf";

let app: AppHandle;
let browser: Browser;
let page: Page;

const N = 40;
const jsonl = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Question ${i}: what is the colour of item ${i * 3}?` })).join("\n");

beforeAll(async () => {
  const env = await setupTestEnv();
  await registerTinyModel({ dataDir: env.dataDir });
  // Two sequences keep the run going long enough to watch it move.
  app = await startApp(env, { workers: 1, extraEnv: { INFERENCE_THREADS: "1", INFERENCE_SEQUENCES: "2" } });
  await createUser({ email: "mia@example.com", name: "Mia", password: "quartz-ember-tide-42", role: "member" });
  browser = await launchBrowser();
  page = await browser.newPage({ acceptDownloads: true });
  await signIn(page, app.baseUrl, "mia@example.com", "quartz-ember-tide-42");
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("batch runs in a browser", () => {
  it("shows row-level errors of a bad upload and keeps Start disabled", async () => {
    await page.click("nav >> text=Runs");
    await page.waitForURL(/\/runs$/);
    await page.setInputFiles('input[name="prompts"]', { name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from('{"prompt": "ok"}\n{broken\n{"id": 3}\n') });
    const validation = page.locator('[data-testid="validation"]');
    await expect.poll(() => validation.textContent()).toContain("2 invalid row(s)");
    expect(await validation.textContent()).toContain("row 2: not valid JSON");
    expect(await validation.textContent()).toContain("row 3:");
    expect(await page.isDisabled("text=Start run")).toBe(true);
  });

  it("uploads a JSONL, watches the run progress live, and downloads the results", async () => {
    await page.setInputFiles('input[name="prompts"]', { name: "prompts.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(jsonl) });
    await expect.poll(() => page.locator('[data-testid="validation"]').textContent()).toContain(`${N} prompt(s) ready`);
    await page.fill('input[name="temperature"]', "0");
    await page.fill('input[name="maxTokens"]', "48");
    await page.click("text=Start run");
    await page.waitForURL(/\/runs\/[^/]+$/);

    const progress = page.locator('[data-testid="run-progress"]');
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          seen.push(Number(/^(\d+)\//.exec((await progress.textContent()) ?? "")?.[1] ?? -1));
          return page.locator('[data-testid="run-status"]').textContent();
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe("completed");
    const moving = seen.filter((n) => n > 0 && n < N);
    // At least one count strictly between 0 and N: the page updated while the run was under way (on a loaded
    // machine the whole run can take only a few of the page's refreshes).
    expect(moving.length, `progress seen: ${seen.join(",")}`).toBeGreaterThan(0);
    expect(await progress.textContent()).toContain(`${N}/${N} done`);
    expect(await page.locator('[data-testid="count-completed"]').textContent()).toBe(String(N));
    await page.locator('[data-testid="throughput-chart"]').waitFor();
    expect(await page.locator("tr[data-item-index]").count()).toBe(N);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Export JSONL")]);
    expect(download.suggestedFilename()).toMatch(/^run-.+\.jsonl$/);
    const rows = (await readFile((await download.path())!, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; status: string; output: string; tokens_out: number });
    expect(rows).toHaveLength(N);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: N }, (_, i) => `q${i}`));
    expect(rows.every((r) => r.status === "completed" && r.output.length > 0 && r.tokens_out === 48)).toBe(true);
  });
});
