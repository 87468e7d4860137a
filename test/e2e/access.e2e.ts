import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { launchBrowser, signIn } from "../helpers/browser";
import { TEST_PASSWORD } from "../helpers/http-client";
import { startApp, type AppHandle } from "../helpers/start-app";
import { setupTestEnv } from "../helpers/test-env";

let app: AppHandle;
let browser: Browser;
let model: { id: string };

async function signedInPage(email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, app.baseUrl, email, TEST_PASSWORD);
  return page;
}

beforeAll(async () => {
  const env = await setupTestEnv();
  app = await startApp(env, { workers: 0 });
  for (const [email, role] of [["admin@example.com", "admin"], ["alice@example.com", "member"], ["bob@example.com", "member"]] as const) {
    await createUser({ email, name: email.split("@")[0]!, password: TEST_PASSWORD, role });
  }
  model = await db().model.create({ data: { name: "secret-model", source: "hf", format: "hf", status: "verified", directory: `${env.dataDir}/hf/secret` } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await closeDb();
});

describe("sharing a model with a group, in the browser", () => {
  it("an admin groups users and shares the model with one group; another group's member cannot see it; the audit page lists both", async () => {
    const admin = await signedInPage("admin@example.com");
    await admin.goto(`${app.baseUrl}/settings?tab=groups`);
    for (const [group, member] of [["research", "alice@example.com"], ["support", "bob@example.com"]] as const) {
      await admin.getByLabel("Group name").fill(group);
      await admin.click("text=Create group");
      const box = admin.getByLabel(`${member} in ${group}`);
      await box.waitFor();
      // The box reflects the server's member list, so it turns on once the change is saved and re-read.
      await box.click();
      await expect.poll(() => box.isChecked()).toBe(true);
    }

    await admin.goto(`${app.baseUrl}/models/${model.id}`);
    await admin.getByLabel("share with research").check();
    await admin.click("text=Save access");
    await expect.poll(() => admin.textContent('[data-testid="access-message"]')).toBe("shared with research");

    const bob = await signedInPage("bob@example.com");
    await bob.goto(`${app.baseUrl}/models`);
    await bob.waitForSelector("h1");
    expect(await bob.textContent("main")).not.toContain("secret-model");
    const res = await bob.goto(`${app.baseUrl}/models/${model.id}`);
    expect(res?.status()).toBe(404);

    const alice = await signedInPage("alice@example.com");
    await alice.goto(`${app.baseUrl}/models`);
    await expect.poll(() => alice.textContent("main")).toContain("secret-model");

    await admin.goto(`${app.baseUrl}/audit`);
    const share = admin.locator('tr[data-action="model.share"]');
    const denied = admin.locator('tr[data-action="model.access_denied"]');
    await denied.waitFor();
    expect(await share.textContent()).toContain("admin@example.com");
    expect(await share.textContent()).toContain("research");
    expect(await denied.textContent()).toContain("bob@example.com");
    expect(await denied.textContent()).toContain("secret-model");
  });
});
