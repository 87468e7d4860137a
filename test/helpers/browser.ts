import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

/** Debian's Chromium (never a downloaded browser), headless, with nothing that calls home. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Sends the reference chat (system + user message) from the Playground page at temperature 0 and waits for the
 * assistant's reply of `maxTokens` tokens; returns the reply's locator.
 */
export async function sendPlaygroundChat(page: Page, chat: { messages: { content: string }[]; maxTokens: number }): Promise<Locator> {
  await page.fill('textarea[aria-label="system prompt"]', chat.messages[0]!.content);
  await page.fill('input[name="temperature"]', "0");
  await page.fill('input[name="maxTokens"]', String(chat.maxTokens));
  await page.fill('textarea[aria-label="message"]', chat.messages[1]!.content);
  await page.click("button >> text=Send");
  const answer = page.locator('[data-testid="messages"] [data-role="assistant"]');
  await expect.poll(() => answer.textContent(), { timeout: 60_000 }).toContain(`${chat.maxTokens} tokens`);
  return answer;
}

/** Signs in through the login page and waits for the Overview. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${baseUrl}/`);
}
