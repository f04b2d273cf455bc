// Opening an inspector page in the shared Chromium, signing in, and collecting what the page logs
// as an error: every browser test file uses these, so a page error fails the file that caused it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { contractsDir } from '../../scripts/artefacts.js';

const screenshotsDir = join(contractsDir, '..', 'docs', 'screenshots');

/** Saves `docs/screenshots/<name>.png` when `npm run screenshots` runs the tests (INSPECTOR_SCREENSHOTS=1). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env['INSPECTOR_SCREENSHOTS'] !== '1') return;
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** A console and uncaught-error collector, plus `open(url)` for pages that report into it. */
export function pageOpener(context: BrowserContext) {
  /** Console errors and uncaught page errors, from every page, as `<page url>: <text>`. */
  const errors: string[] = [];
  async function open(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    await page.goto(url);
    return page;
  }
  return { open, errors };
}

/** Fills the login form's "API token" and submits it. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
