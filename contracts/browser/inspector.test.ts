// The inspector pages in a real browser (Debian's Chromium) against the BUILT receiver and
// `mock-sender serve`: the sender page sends through the real receiver, the receiver page shows
// what arrived. `npm run screenshots` runs this with INSPECTOR_SCREENSHOTS=1 to refresh the
// README pictures in docs/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPage, EventRecord, ProgressPage } from '@webhook-contracts/schema';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { type RunningProcess, requireBuilt, startBuiltReceiver } from '../test/support/builtPrograms.js';
import { whsecSecret } from '../test/support/referenceWebhook.js';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { pageOpener, signIn } from './support/inspectorPage.js';
import { type RunningServe, startBuiltSenderServe } from './support/senderServe.js';

const hasChromium = existsSync(chromiumPath);
const screenshotsDir = join(contractsDir, '..', 'docs', 'screenshots');
const RECEIVER_TOKEN = 'inspector-receiver-token-0123456789';
const SENDER_TOKEN = 'inspector-sender-token-0123456789';
const INVALID_EXAMPLE = 'invalid.completed-is-a-string';
const CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let dir: string;
let receiver: RunningProcess & { url: string };
let sender: RunningServe;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let pages: ReturnType<typeof pageOpener>;
const openPage = (url: string) => pages.open(url);

async function shot(page: Page, name: string): Promise<void> {
  if (process.env['INSPECTOR_SCREENSHOTS'] !== '1') return;
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** The 401s a wrong token causes are the only console errors allowed: drop exactly those. */
function expectOnly401s(since: number): void {
  const fresh = pages.errors.splice(since);
  expect(fresh.length).toBeGreaterThan(0);
  for (const line of fresh) expect(line).toMatch(/status of 401/);
}

async function readApi<T>(path: string): Promise<T> {
  const res = await fetch(`${receiver.url}${path}`, {
    headers: { authorization: `Bearer ${RECEIVER_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe.skipIf(!hasChromium)('inspector pages in Chromium', () => {
  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'inspector-browser-'));
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
      RECEIVER_API_TOKEN: RECEIVER_TOKEN,
    });
    sender = await startBuiltSenderServe({
      SENDER_API_TOKEN: SENDER_TOKEN,
      SENDER_ALLOWED_TARGETS: `${receiver.url}/webhooks`,
      WEBHOOK_SECRET: whsecSecret,
    });
    browser = await launchChromium();
    pages = pageOpener(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    await sender?.stop();
    await receiver?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('mock-sender serve: GET /', () => {
    it('serves the page without the token, under the CSP, and keeps the Host check', async () => {
      const res = await fetch(`${sender.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).not.toContain(SENDER_TOKEN);
      expect(html).not.toContain(whsecSecret);
      expect(await getWithHost(`${sender.url}/`, 'evil.example')).toBe(421);
      expect((await fetch(`${sender.url}/deliveries`)).status).toBe(401);
    });

    it('refuses a wrong token with a clear error and shows no data', async () => {
      const page = await openPage(`${sender.url}/`);
      const before = pages.errors.length;
      await signIn(page, 'not-the-sender-token-at-all');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('missing or wrong bearer token');
      expect(await page.getByTestId('deliveries').count()).toBe(0);
      expect(await page.evaluate('window.sessionStorage.length')).toBe(0);
      expectOnly401s(before);
      await page.close();
    });

    it('sends an invalid example and generated events, and follows each run to its summary', async () => {
      const page = await openPage(`${sender.url}/`);
      await signIn(page, SENDER_TOKEN);
      await expect
        .poll(() => page.getByLabel('Target', { exact: true }).inputValue())
        .toBe(`${receiver.url}/webhooks`);

      await expect.poll(() => page.locator(`option[value="${INVALID_EXAMPLE}"]`).count()).toBe(1);
      await page.getByLabel('Example', { exact: true }).selectOption(INVALID_EXAMPLE);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('[data-testid=run][data-status=succeeded]').waitFor();
      expect(await page.getByTestId('send-summary').textContent()).toContain('Delivered1');

      await page.getByLabel('Generated events').check();
      const types = page.getByLabel('Event type', { exact: true });
      await expect.poll(() => types.locator('option[value="payment.succeeded"]').count()).toBe(1);
      await types.selectOption('course_lesson_interaction.completed');
      await page.getByLabel('Events', { exact: true }).fill('6');
      await page.getByLabel('Seed', { exact: true }).fill('inspector');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect
        .poll(() => page.getByTestId('send-summary').textContent(), { timeout: 30_000 })
        .toContain('Delivered6');
      expect(await page.getByTestId('run').getAttribute('data-status')).toBe('succeeded');
      await shot(page, 'sender-send');
      await page.close();
    });

    it('lists the deliveries newest first with each attempt, status and latency', async () => {
      const page = await openPage(`${sender.url}/#/deliveries`);
      await signIn(page, SENDER_TOKEN);
      const rows = page.locator('[data-testid=deliveries] tbody tr');
      await expect.poll(() => rows.count()).toBe(7);
      const chips = await page.locator('.attempt').allTextContents();
      expect(chips).toHaveLength(7);
      for (const chip of chips) expect(chip).toMatch(/^200 · \d+ ms$/);
      // Newest first: the generated batch went after the example.
      expect(await rows.last().locator('td').nth(1).textContent()).toBe(
        'course_lesson_interaction.completed',
      );
      expect(await page.locator('.badge-delivered').count()).toBe(7);
      await shot(page, 'sender-deliveries');
      await page.close();
    });

    it('runs check against the receiver and shows every case passing', async () => {
      const page = await openPage(`${sender.url}/#/check`);
      await signIn(page, SENDER_TOKEN);
      await expect
        .poll(() => page.getByLabel('Target', { exact: true }).inputValue())
        .toBe(`${receiver.url}/webhooks`);
      await page.getByRole('button', { name: 'Run check' }).click();
      await page.locator('[data-testid=run]:not([data-status=running])').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('run').getAttribute('data-status')).toBe('succeeded');
      const verdicts = await page.locator('[data-testid=check-results] tbody .badge').allTextContents();
      expect(verdicts.length).toBeGreaterThan(5);
      expect(new Set(verdicts)).toEqual(new Set(['pass']));
      await shot(page, 'sender-check');
      await page.close();
    });
  });

  describe('receiver: GET /inspect/', () => {
    it('serves the page without the token, with the CSP, nosniff and cache headers', async () => {
      const res = await fetch(`${receiver.url}/inspect/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const asset = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(await res.text())?.[1];
      expect(asset).toBeDefined();
      const js = await fetch(`${receiver.url}/inspect/${asset}`);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    });

    it('refuses a wrong token with a clear error and shows no data', async () => {
      const page = await openPage(`${receiver.url}/inspect/`);
      const before = pages.errors.length;
      await signIn(page, 'not-the-receiver-token');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('The bearer token is not the RECEIVER_API_TOKEN');
      expect(await page.getByTestId('events').count()).toBe(0);
      expectOnly401s(before);
      await shot(page, 'receiver-login');
      await page.close();
    });

    it('lists the events newest first, filters by status and type, and refreshes live', async () => {
      const page = await openPage(`${receiver.url}/inspect/`);
      await signIn(page, RECEIVER_TOKEN);
      const rows = page.locator('[data-testid=events] tbody tr');
      const { events } = await readApi<EventPage>('/events?limit=25');
      await expect.poll(() => rows.count()).toBe(events.length);
      expect(await rows.first().locator('td').first().textContent()).toBe(events[0]!.webhook_id);
      await shot(page, 'receiver-events');

      // On a phone-sized screen the page does not scroll sideways: the table scrolls in its frame.
      await page.setViewportSize({ width: 390, height: 800 });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(390);
      await shot(page, 'receiver-events-narrow');
      await page.setViewportSize({ width: 1280, height: 800 });

      await page.getByLabel('Status', { exact: true }).selectOption('quarantined');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.locator('.badge').allTextContents()).toEqual(['quarantined']);

      await page.getByLabel('Status', { exact: true }).selectOption('');
      await page.getByLabel('Type', { exact: true }).fill('no.such.type');
      await page.getByLabel('Type', { exact: true }).press('Enter');
      await expect.poll(() => rows.first().textContent()).toBe('No events match.');
      await page.getByLabel('Type', { exact: true }).fill('course_lesson_interaction.completed');
      await page.getByLabel('Type', { exact: true }).press('Enter');
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(7);

      // A delivery that arrives while the page is open shows up without a reload.
      const before = await rows.count();
      const sent = await fetch(`${sender.url}/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SENDER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: `${receiver.url}/webhooks`, example: ['docs-page'] }),
      });
      expect(sent.status).toBe(200);
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(before + 1);

      // Past one page (25), "Older" follows next_cursor and "Newer" comes back.
      const more = await fetch(`${sender.url}/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SENDER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: `${receiver.url}/webhooks`, generate: 20, seed: 'paging' }),
      });
      expect(more.status).toBe(200);
      const type = 'type=course_lesson_interaction.completed';
      const first = await readApi<EventPage>(`/events?${type}&limit=25`);
      expect(first.next_cursor).not.toBeNull();
      const second = await readApi<EventPage>(
        `/events?${type}&limit=25&cursor=${encodeURIComponent(first.next_cursor!)}`,
      );
      await expect
        .poll(() => rows.first().locator('td').first().textContent())
        .toBe(first.events[0]!.webhook_id);
      await page.getByRole('button', { name: 'Older →' }).click();
      await expect
        .poll(() => rows.first().locator('td').first().textContent())
        .toBe(second.events[0]!.webhook_id);
      expect(await rows.count()).toBe(second.events.length);
      expect(await page.getByText('Page 2').count()).toBe(1);
      await page.getByRole('button', { name: '← Newer' }).click();
      await expect.poll(() => rows.count()).toBe(25);
      await page.close();
    });

    it('opens a quarantined event with the offending field highlighted, and replays it', async () => {
      const page = await openPage(`${receiver.url}/inspect/`);
      await signIn(page, RECEIVER_TOKEN);
      await page.getByLabel('Status', { exact: true }).selectOption('quarantined');
      const link = page.locator('[data-testid=events] tbody tr a').first();
      await expect
        .poll(() => page.locator('[data-testid=events] tbody tr .badge').allTextContents())
        .toEqual(['quarantined']);
      const id = (await link.textContent())!;
      await link.click();

      const stored = await readApi<EventRecord>(`/events/${encodeURIComponent(id)}`);
      const pointer = stored.errors?.[0]?.pointer;
      expect(pointer).toBe('/data/completed');
      await expect.poll(() => page.getByTestId('errors').textContent()).toContain(pointer);
      const highlighted = page.locator('[data-testid=payload] .line.hl');
      expect(await highlighted.count()).toBe(1);
      expect(await highlighted.getAttribute('data-pointer')).toBe(pointer);
      expect(await highlighted.textContent()).toMatch(/^\s*"completed": "/);
      expect(await page.locator('.headers').textContent()).toContain('webhook-id');
      expect(await page.locator('body').textContent()).not.toContain(whsecSecret);

      await page.getByRole('button', { name: 'Replay' }).click();
      await expect
        .poll(() => page.getByTestId('replay-result').textContent())
        .toBe(`Replay queued: the processor will run ${id} again.`);
      await shot(page, 'receiver-event-detail');
      await page.close();
    });

    it('shows the lesson progress and filters it by user', async () => {
      const page = await openPage(`${receiver.url}/inspect/#/progress`);
      await signIn(page, RECEIVER_TOKEN);
      const rows = page.locator('[data-testid=progress] tbody tr');
      const { progress } = await readApi<ProgressPage>('/progress');
      expect(progress.length).toBeGreaterThan(1);
      await expect.poll(() => rows.count()).toBe(progress.length);
      await shot(page, 'receiver-progress');

      const user = progress[0]!.user_id;
      await page.getByLabel('User', { exact: true }).fill(user);
      await page.getByLabel('User', { exact: true }).press('Enter');
      const expected = progress.filter((p) => p.user_id === user).length;
      await expect.poll(() => rows.count()).toBe(expected);
      expect(new Set(await rows.locator('td:first-child').allTextContents())).toEqual(new Set([user]));
      await page.close();
    });

    it('shows the delivery counters from /metrics', async () => {
      const page = await openPage(`${receiver.url}/inspect/#/counters`);
      await signIn(page, RECEIVER_TOKEN);
      const metrics = await (await fetch(`${receiver.url}/metrics`)).text();
      const count = (outcome: string) =>
        Number(
          new RegExp(`^webhook_deliveries_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ??
            0,
        );
      expect(count('accepted')).toBeGreaterThanOrEqual(7);
      expect(count('quarantined')).toBe(1);
      for (const outcome of ['accepted', 'quarantined', 'duplicate', 'rejected_signature']) {
        await expect
          .poll(() => page.locator(`[data-outcome=${outcome}] .counter-value`).textContent())
          .toBe(String(count(outcome)));
      }
      await shot(page, 'receiver-counters');
      await page.close();
    });

    it('logged no console errors besides the refused sign-ins', () => {
      expect(pages.errors).toEqual([]);
    });
  });
});
