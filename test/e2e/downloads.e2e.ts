import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import type { DownloadDto } from "../../lib/models/list-downloads";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";
import { startHfHub, type HfHub } from "../servers/hf-hub";
import { startMetaCdn, type MetaCdn } from "../servers/meta-cdn";
import { addLargeChatShard, buildMetaTree } from "../servers/meta-fixture";

// The Downloads page in Chromium: a real paused state whose totals and file list survive Resume, next steps and
// dismiss on a finished card, and Hub downloads refused before anything is queued.

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama");
const MiB = 1024 * 1024;
const BIG = 64 * MiB;
const GATED = "meta-llama/Tiny-Gated";
const TOKEN = "hf_aliceSecretToken123456";

let app: AppHandle;
let cdn: MetaCdn;
let hub: HfHub;
let browser: Browser;
let page: Page;
let work: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-downloads-e2e-"));
  const root = path.join(work, "cdn");
  await buildMetaTree(root);
  // 7B-chat: one large shard beside small files, so a pause lands with some files finished and one part-way.
  await addLargeChatShard(root, BIG);
  cdn = await startMetaCdn({ root });
  hub = await startHfHub({
    repos: [{ name: GATED, dir: path.join(FIXTURE, "hf"), gated: "manual" }],
    tokens: { [TOKEN]: { user: "alice", access: [GATED] } },
  });
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 1, extraEnv: { HF_ENDPOINT: hub.url } });
  await createUser({ email: "ada@example.com", name: "Ada", password: "correct-horse", role: "admin" });
  browser = await launchBrowser();
  page = await browser.newPage();
  // Script errors only: a failed resource load (the layout's favicon, for now) is the page walk's to catch.
  page.on("console", (m) => void (m.type() === "error" && !m.text().startsWith("Failed to load resource") && consoleErrors.push(m.text())));
  page.on("pageerror", (e) => void consoleErrors.push(e.message));
  await signIn(page, app.baseUrl, "ada@example.com", "correct-horse");
  await page.goto(`${app.baseUrl}/downloads`);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await cdn?.stop();
  await hub?.stop();
  await closeDb();
  await rm(work, { recursive: true, force: true });
});

const downloads = () => page.evaluate(() => fetch("/api/downloads").then((r) => r.json() as Promise<{ downloads: DownloadDto[] }>));
const toasts = () => page.locator('[data-testid="toasts"]').textContent();

describe("Downloads page", () => {
  it("pauses (paused, not cancelled) and resumes with totals that never go backwards and every file still listed", async () => {
    cdn.options.throttleBps = 4 * MiB;
    const meta = page.locator('form[aria-label="From Meta"]');
    await meta.locator('textarea[aria-label="signed URL"]').fill(cdn.signUrl(new Date(Date.now() + 3600_000)));
    await meta.locator("label", { hasText: /^7B-chat/ }).locator("input").check();
    await meta.locator("button", { hasText: "Download" }).click();
    await expect.poll(toasts).toContain("download queued");

    const card = page.locator('[data-job-id^="download-meta-7b-chat--"]');
    const big = "llama-2-7b-chat/consolidated.00.pth";
    // Wait until the small files are done and the shard is part-way.
    await expect
      .poll(async () => {
        const d = (await downloads()).downloads.find((x) => x.id.startsWith("download-meta-7b-chat--"));
        const files = d?.detail?.files ?? [];
        const shard = files.find((f) => f.path === big);
        return files.some((f) => f.path === "tokenizer.model" && f.bytesDone === f.bytesTotal) && !!shard && shard.bytesDone > 0 && shard.bytesDone < shard.bytesTotal;
      }, { timeout: 60_000, interval: 300 })
      .toBe(true);

    await card.locator("button", { hasText: "Pause" }).click();
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 30_000 }).toBe("paused");
    expect(await card.locator('[data-testid="download-status"]').textContent()).toBe("paused");
    await expect.poll(toasts).toContain("paused, downloaded bytes kept");
    // Paused is what the server says too: a reload renders it (with the link's live countdown) from the server.
    await page.reload();
    await expect.poll(() => card.getAttribute("data-status")).toBe("paused");
    expect(await card.locator('[data-testid="countdown"]').textContent()).toMatch(/^expires in /);
    const atPause = (await downloads()).downloads.find((x) => x.id.startsWith("download-meta-7b-chat--"))!;
    const listed = atPause.detail!.files!.map((f) => f.path).sort();
    expect(listed).toContain("tokenizer.model");
    expect(listed).toContain(big);

    cdn.options.throttleBps = 16 * MiB;
    await card.locator("button", { hasText: "Resume" }).click();
    let last = { pct: atPause.progress, done: atPause.detail!.bytesDone!, total: atPause.detail!.bytesTotal! };
    await expect
      .poll(async () => {
        const d = (await downloads()).downloads.find((x) => x.id === atPause.id)!;
        const now = { pct: d.progress, done: d.detail?.bytesDone ?? 0, total: d.detail?.bytesTotal ?? 0 };
        expect(now.pct, "percentage").toBeGreaterThanOrEqual(last.pct);
        expect(now.done, "bytes done").toBeGreaterThanOrEqual(last.done);
        expect(now.total, "bytes total").toBeGreaterThanOrEqual(last.total);
        for (const p of listed) expect(d.detail?.files?.map((f) => f.path), `${p} still listed`).toContain(p);
        expect(await card.locator(`[data-file="${big}"]`).count()).toBe(1);
        last = now;
        return d.status;
      }, { timeout: 90_000, interval: 200 })
      .toBe("completed");
    expect(cdn.stats.bytesByPath[big]).toBeLessThanOrEqual(1.1 * BIG);
  });

  it("keeps the forms and the card list inside the page at 390 px (no sideways scroll) and labels every field", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('[data-job-id^="download-meta-7b-chat--"] [data-file]').first().waitFor();
    // The navigation beside the page is the layout's (its narrow-screen form is tested with it): here, nothing
    // inside the page may be wider than the page.
    const overflowing = await page.evaluate(() => {
      const main = document.querySelector("main")!;
      const right = main.getBoundingClientRect().right;
      return [...main.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > right + 1).map((el) => el.outerHTML.slice(0, 80));
    });
    expect(overflowing).toEqual([]);
    expect(await page.evaluate(() => document.querySelector("main")!.scrollWidth - document.querySelector("main")!.clientWidth)).toBeLessThanOrEqual(0);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("main input, main select, main textarea")]
        .filter((el) => !el.getAttribute("aria-label") && !el.closest("label") && !(el.id && document.querySelector(`label[for="${el.id}"]`)))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.setViewportSize({ width: 1400, height: 900 });
    // A reload rendered a card with a live countdown on the server first: no hydration error (#418), nothing else.
    expect(consoleErrors).toEqual([]);
  });

  it("a finished card stops the link countdown, offers next steps and can be dismissed", async () => {
    const card = page.locator('[data-job-id^="download-meta-7b-chat--"]');
    await expect.poll(() => card.getAttribute("data-status")).toBe("completed");
    expect(await card.locator('[data-testid="countdown"]').count()).toBe(0);
    const [m] = (await downloads()).downloads.find((x) => x.id.startsWith("download-meta-7b-chat--"))!.models;
    expect(await card.locator("a", { hasText: "Open model" }).getAttribute("href")).toBe(`/models/${m!.id}`);
    expect(await card.locator("a", { hasText: "Convert" }).count()).toBe(1);
    await card.locator("button", { hasText: "Dismiss" }).click();
    await expect.poll(toasts).toContain("dismissed");
    await expect.poll(() => card.count()).toBe(0);
    // The model it made stays in the inventory.
    expect(await db().model.count({ where: { id: m!.id } })).toBe(1);
  });

  it("refuses a repo that does not exist, a gated repo without a token and a rejected token before queueing, leaving nothing behind", async () => {
    const counts = async () => ({ jobs: await db().job.count(), models: await db().model.count(), credentials: await db().credential.count() });
    const before = await counts();
    const hf = page.locator('form[aria-label="From Hugging Face"]');
    const submit = async (repo: string, token: string, message: string) => {
      await hf.locator('input[aria-label="repo"]').fill(repo);
      await hf.locator('input[aria-label="token"]').fill(token);
      await hf.locator("button", { hasText: "Download" }).click();
      await expect.poll(() => hf.locator('[role="alert"]').textContent()).toBe(message);
      await expect.poll(toasts).toContain(message);
    };
    await submit("nobody/no-such-model", "", "nobody/no-such-model does not exist on the Hub (or is private to another account)");
    await submit(GATED, "", `this repository is gated: request access at https://huggingface.co/${GATED}`);
    await submit(GATED, "hf_revokedToken0000000000", "the Hub rejected this token");
    expect(await counts()).toEqual(before);
    expect((await downloads()).downloads.some((d) => JSON.stringify(d.summary).includes(GATED) || JSON.stringify(d.summary).includes("no-such-model"))).toBe(false);
  });

});
