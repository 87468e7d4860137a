import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama/hf");

let app: AppHandle;
let browser: Browser;
let page: Page;
let work: string;
let folder: string;
let dataDir: string;
const lastToast = () => page.locator('[data-testid="toasts"] .toast > span').last();
const toastTexts = () => page.locator('[data-testid="toasts"] .toast > span').allTextContents();

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "depot-folder-e2e-"));
  // The tiny Llama's HF folder as a user has it: with a README and a subfolder the page leaves out.
  folder = path.join(work, "Tiny-Llama-Upload");
  await mkdir(path.join(folder, "original"), { recursive: true });
  for (const f of await readdir(FIXTURE)) await copyFile(path.join(FIXTURE, f), path.join(folder, f));
  await writeFile(path.join(folder, "README.md"), "# tiny\n");
  await writeFile(path.join(folder, "original", "params.json"), "{}");
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

describe("Models page checkpoint folder upload", () => {
  it("uploads a picked folder's checkpoint files, resumes after a dropped connection and a reload, and lists the checkpoint", async () => {
    await page.click("nav >> text=Models");
    await page.waitForURL(/\/models$/);
    // The connection drops on the second file's chunk.
    let puts = 0;
    await page.route("**/api/uploads/*", (route) => (route.request().method() === "PUT" && ++puts === 2 ? route.abort("connectionreset") : route.fallback()));
    await page.setInputFiles('input[aria-label="checkpoint folder to upload"]', folder);
    await expect.poll(toastTexts).toContainEqual(expect.stringMatching(/^left out \(not checkpoint files\): .*Tiny-Llama-Upload\/README\.md/));
    expect((await toastTexts()).join("\n")).toContain("Tiny-Llama-Upload/original/params.json");
    await expect.poll(() => lastToast().textContent()).toMatch(/upload of folder Tiny-Llama-Upload stopped: .* pick the same files again to resume/);
    await page.unroute("**/api/uploads/*");

    await page.reload();
    await expect.poll(() => page.locator('[data-testid="upload-pending"]').textContent()).toMatch(/unfinished: folder Tiny-Llama-Upload, .* of .* — pick the same files to resume/);
    // Picking the folder again continues: the first file is not sent again.
    const sent: string[] = [];
    page.on("request", (r) => void (r.method() === "PUT" && sent.push(r.url())));
    await page.setInputFiles('input[aria-label="checkpoint folder to upload"]', folder);
    await expect.poll(() => lastToast().textContent(), { timeout: 30_000 }).toBe("uploaded folder Tiny-Llama-Upload as Tiny-Llama-Upload (verified)");
    const files = (await readdir(FIXTURE)).length;
    expect(new Set(sent).size).toBe(files - 1);
    await expect.poll(() => page.locator('tr[data-model="Tiny-Llama-Upload"]').getAttribute("data-status")).toBe("verified");
    const m = await db().model.findUniqueOrThrow({ where: { name: "Tiny-Llama-Upload" }, include: { files: true } });
    expect(m).toMatchObject({ format: "hf", source: "upload" });
    expect(m.files.map((f) => f.path).sort()).toEqual((await readdir(FIXTURE)).sort());
    expect(await readdir(path.join(dataDir, "uploads"))).toEqual([]);
    expect(await page.locator('[data-testid="upload-pending"]').count()).toBe(0);
  }, 120_000);

  it("several picked files without a config are refused with the reason, leaving nothing on the server", async () => {
    await page.fill('input[aria-label="checkpoint model name"]', "no-config");
    await page.setInputFiles('input[aria-label="checkpoint files to upload"]', [path.join(folder, "model.safetensors"), path.join(folder, "tokenizer.model")]);
    await expect.poll(() => lastToast().textContent()).toBe(
      "upload of the checkpoint failed: no config: the folder needs config.json (Hugging Face form) or params.json (Meta form)",
    );
    expect(await readdir(path.join(dataDir, "uploads"))).toEqual([]);
    expect(await db().model.count({ where: { name: "no-config" } })).toBe(0);
  }, 60_000);
});
