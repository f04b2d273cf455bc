// The inspector pages in a real browser (Debian's Chromium) against the BUILT receiver and
// `mock-sender serve`: the sender page sends through the real receiver, the receiver page shows
// what arrived. `npm run screenshots` runs this with INSPECTOR_SCREENSHOTS=1 to refresh the
// README pictures in docs/screenshots/.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EventPage,
  type EventRecord,
  type MembershipPage,
  MembershipStatus,
  type ProgressPage,
} from '@webhook-contracts/schema';
import {
  deliver as post,
  type RunningProgram,
  requireBuilt,
  startBuiltReceiver,
  startBuiltSenderServe,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { referenceSigned, whsecSecret } from '../test/support/referenceWebhook.js';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { pageOpener, shot, signIn } from './support/inspectorPage.js';

const hasChromium = existsSync(chromiumPath);
const RECEIVER_TOKEN = 'inspector-receiver-token-0123456789';
const SENDER_TOKEN = 'inspector-sender-token-0123456789';
const INVALID_EXAMPLE = 'invalid.completed-is-a-string';
const CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let dir: string;
let receiver: RunningProgram & { url: string };
let sender: RunningProgram;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let pages: ReturnType<typeof pageOpener>;
const openPage = (url: string) => pages.open(url);

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

/** Signs `body` with the reference library and posts it to the receiver's /webhooks; the status. */
async function deliver(webhookId: string, body: unknown): Promise<number> {
  const signed = referenceSigned(whsecSecret, webhookId, JSON.stringify(body));
  const res = await post(`${receiver.url}/webhooks`, signed);
  return res.status;
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
        .toContain('The bearer token is not the SENDER_API_TOKEN this service runs with (invalid_token)');
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
      // The receiver keeps an authentic off-contract event and says so in its 200.
      expect(await page.getByTestId('send-answers').textContent()).toBe('quarantined ×1 ');
      expect(await page.getByTestId('send-by-type').textContent()).toBe(
        'course_lesson_interaction.completed ×1',
      );

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
      expect(await page.getByTestId('send-by-status').textContent()).toBe('200 ×6 ');
      expect(await page.getByTestId('send-answers').textContent()).toBe('accepted ×6 ');
      expect(await page.getByTestId('send-by-type').textContent()).toBe(
        'course_lesson_interaction.completed ×6',
      );
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
      expect(await page.getByTestId('check-stored').textContent()).toMatch(
        /^Left in the target's store \(answered 2xx\): \d+ events: course_lesson_interaction\.completed ×\d+, mock_sender_check\.unknown_type ×1$/,
      );
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

    it('lists the memberships, filters them by status and by user, and loads more past a page', async () => {
      type Example = { data: { id: string; status: string; user: { id: string } | null } };
      const example = (type: string) =>
        JSON.parse(
          readFileSync(join(contractsDir, 'examples', type, 'valid.example.json'), 'utf8'),
        ) as Example;
      const catalog = [
        'membership.activated',
        'membership.deactivated',
        'membership.cancel_at_period_end_changed',
        'membership.trial_ending_soon',
      ].map(example);
      for (const [i, body] of catalog.entries())
        expect(await deliver(`msg_memberships_${i}`, body)).toBe(200);
      // More memberships than one page (25) of the view holds: copies of the activated example
      // under other ids, users and statuses.
      const statuses = ['active', 'trialing', 'past_due', 'canceling', 'canceled'];
      const base = catalog[0]!;
      for (let i = 0; i < 24; i++) {
        const body = {
          ...base,
          data: {
            ...base.data,
            id: `mem_inspector${String(i).padStart(2, '0')}`,
            status: statuses[i % statuses.length],
            cancel_at_period_end: statuses[i % statuses.length] === 'canceling',
            user: { ...base.data.user, id: `user_inspector${i % 3}` },
          },
        };
        expect(await deliver(`msg_memberships_copy_${i}`, body)).toBe(200);
      }
      await expect
        .poll(async () => (await readApi<MembershipPage>('/memberships?limit=100')).memberships.length)
        .toBe(28);
      const { memberships } = await readApi<MembershipPage>('/memberships?limit=100');

      const page = await openPage(`${receiver.url}/inspect/#/memberships`);
      await signIn(page, RECEIVER_TOKEN);
      const rows = page.locator('[data-testid=memberships] tbody tr');
      const ids = () => rows.locator('td:first-child').allTextContents();
      await expect.poll(() => rows.count()).toBe(25);
      expect(await ids()).toEqual(memberships.slice(0, 25).map((m) => m.id));
      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(ids).toEqual(memberships.map((m) => m.id));
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

      // The status list is the schema's enum; picking one shows only its rows, each with its badge.
      const options = await page.getByLabel('Status', { exact: true }).locator('option').allTextContents();
      expect(options).toEqual(['any', ...MembershipStatus.enum]);
      await page.getByLabel('Status', { exact: true }).selectOption('expired');
      await expect.poll(ids).toEqual(memberships.filter((m) => m.status === 'expired').map((m) => m.id));
      expect(await rows.locator('.badge').allTextContents()).toEqual(['expired']);
      await page.getByLabel('Status', { exact: true }).selectOption('canceling');
      const canceling = memberships.filter((m) => m.status === 'canceling');
      expect(canceling.length).toBe(6);
      await expect.poll(ids).toEqual(canceling.map((m) => m.id));

      await page.getByLabel('Status', { exact: true }).selectOption('');
      const user = catalog[1]!.data.user!.id;
      await page.getByLabel('User', { exact: true }).fill(user);
      await page.getByLabel('User', { exact: true }).press('Enter');
      await expect.poll(ids).toEqual([catalog[1]!.data.id]);
      const record = memberships.find((m) => m.id === catalog[1]!.data.id)!;
      expect((await rows.first().locator('td').allTextContents()).slice(0, 6)).toEqual([
        record.id,
        user,
        record.product_id,
        record.plan_id,
        'expired',
        'no',
      ]);
      expect(await rows.first().locator('td').nth(6).textContent()).toMatch(
        /^2025-02-08 06:36:51 UTC ?event \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
      );

      await page.getByLabel('User', { exact: true }).fill('user_inspector1');
      await page.getByLabel('User', { exact: true }).press('Enter');
      await expect.poll(() => rows.count()).toBe(8);
      await shot(page, 'receiver-memberships');

      await page.getByLabel('User', { exact: true }).fill('user_nobody');
      await page.getByLabel('User', { exact: true }).press('Enter');
      await expect.poll(() => rows.first().textContent()).toBe('No memberships recorded for this filter.');
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
