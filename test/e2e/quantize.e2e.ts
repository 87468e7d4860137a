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
let source: { id: string; name: string };

beforeAll(async () => {
  const env = await setupTestEnv();
  source = await registerTinyModel({ dataDir: env.dataDir });
  app = await startApp(env, { workers: 1 });
  await createUser({ email: "mo@example.com", name: "Mo", password: "correct-horse", role: "member" });
  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, app.baseUrl, "mo@example.com", "correct-horse");
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("Quantize on a GGUF model's page", () => {
  it("explains the types, pre-selects Q4_K_M, follows the job and links the derived model with its tensor types and bits per weight", async () => {
    await page.goto(`${app.baseUrl}/models/${source.id}`);
    const select = page.locator('select[aria-label="quantize type"]');
    expect(await select.inputValue()).toBe("q4_k_m");
    expect(await select.locator('option[value="q4_k_m"]').textContent()).toBe("Q4_K_M — ≈4.1 GB for 7B · recommended: good quality for its size (+0.175 perplexity)");
    await page.getByRole("button", { name: "Quantize" }).click();
    const status = page.getByTestId("quantize-status");
    await status.getByText(/^completed:/).waitFor({ timeout: 120_000 });
    await status.getByRole("link", { name: "tiny-llama-f16-q4_k_m" }).click();
    
    await page.getByRole("heading", { name: "tiny-llama-f16-q4_k_m" }).waitFor();
    expect(await page.getByText(/quantized from/).textContent()).toContain(source.name);
    expect(await page.getByTestId("gguf-summary").textContent()).toMatch(/file type Q4_K_M .* 21 tensors · \d\.\d\d bits per weight/);
    expect(await page.locator('tr[data-tensor="blk.0.attn_q.weight"] td').nth(1).textContent()).toMatch(/^Q\d_[0K]$/);
  });
});
