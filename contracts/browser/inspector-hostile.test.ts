// The receiver's inspector page in Chromium, against the BUILT receiver, showing what an attacker
// can make it store: a body nested 3 000 arrays deep, 20 000 contract errors, a `type` written with
// a right-to-left override, a 200 KB `type`, a membership id and user of the same kinds. Each must render as what it is, under its own event
// id, without freezing the page or pushing the table off-screen; and the counters view must show
// every delivery outcome the receiver counts, including refusals (413, 503).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deliver as post,
  type RunningProgram,
  receiverMain,
  requireBuilt,
  startBuiltReceiver,
  startBuiltSenderServe,
} from '@webhook-contracts/test-kit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { referenceSigned, whsecSecret } from '../test/support/referenceWebhook.js';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { pageOpener, signIn } from './support/inspectorPage.js';

// The page's globals that the functions run inside it use (this project is typed for Node, not
// the DOM); declared here only, for this file.
declare const window: { location: { hash: string }; leaks?: string[] };
declare const document: {
  body: unknown;
  querySelector(selector: string): { textContent: string | null } | null;
};
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: object): void;
}
declare function getComputedStyle(element: unknown): { unicodeBidi: string; direction: string };

const hasChromium = existsSync(chromiumPath);
const TOKEN = 'inspector-hostile-token-0123456789';
const MAX_BODY_BYTES = 256 * 1024;
const NORMAL_MARK = 'NORMAL-PAYLOAD-7f3a';
const DEPTH = 3000;
const RLO = '\u202E';

let dir: string;
let receiver: RunningProgram & { url: string };
let browser: Awaited<ReturnType<typeof launchChromium>>;
let pages: ReturnType<typeof pageOpener>;

const newId = (label: string) => `msg_${label}_${randomUUID().slice(0, 8)}`;

function envelope(id: string, type: string, data: unknown): string {
  return JSON.stringify({ id, api_version: 'v1', timestamp: new Date().toISOString(), type, data });
}

/** POSTs a signed delivery and returns the status (the body is drained). */
async function deliver(id: string, body: string): Promise<number> {
  const signed = referenceSigned(whsecSecret, id, body);
  const res = await post(`${receiver.url}/webhooks`, signed);
  return res.status;
}

async function readEvent(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${receiver.url}/events/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function signedIn(hash = ''): Promise<Page> {
  const page = await pages.open(`${receiver.url}/inspect/${hash}`);
  await signIn(page, TOKEN);
  return page;
}

/** Opens an event's detail view by changing the hash, as a click on its link does. */
async function goToEvent(page: Page, id: string): Promise<void> {
  await page.evaluate(
    (hash) => {
      window.location.hash = hash;
    },
    `#/events/${encodeURIComponent(id)}`,
  );
}

const heading = (page: Page) => page.locator('.detail-head h2').textContent();

/**
 * Records, at every DOM change, whether the detail view shows `id` while the page still holds
 * `foreign` text: a view that keeps another event's data under a new id is caught in the act.
 */
async function watchForLeak(page: Page, id: string, foreign: string): Promise<void> {
  await page.evaluate(
    ([watchedId, foreignText]) => {
      const leaks: string[] = [];
      window.leaks = leaks;
      new MutationObserver(() => {
        const head = document.querySelector('.detail-head h2')?.textContent ?? '';
        if (head === watchedId && (document.querySelector('main')?.textContent ?? '').includes(foreignText))
          leaks.push(head);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    },
    [id, foreign] as const,
  );
}

const leaks = (page: Page) => page.evaluate(() => window.leaks);

describe.skipIf(!hasChromium)('the receiver inspector facing hostile events', () => {
  const normalId = newId('normal');

  beforeAll(async () => {
    requireBuilt([receiverMain]);
    dir = mkdtempSync(join(tmpdir(), 'inspector-hostile-'));
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
      RECEIVER_API_TOKEN: TOKEN,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      // One body's worth in flight at a time, so a stalled upload makes the next delivery a 503.
      MAX_INFLIGHT_BODY_BYTES: String(MAX_BODY_BYTES),
    });
    browser = await launchChromium();
    pages = pageOpener(browser.context);
    expect(await deliver(normalId, envelope(normalId, 'inspector.normal', { note: NORMAL_MARK }))).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws a body nested 3 000 arrays deep with a marker for the levels it leaves out, under its own id', async () => {
    const deepId = newId('deep');
    const body = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
    expect(body.length).toBe(6000);
    expect(await deliver(deepId, body)).toBe(200);

    const page = await signedIn();
    await goToEvent(page, normalId);
    await expect.poll(() => page.getByTestId('payload').textContent()).toContain(NORMAL_MARK);
    await watchForLeak(page, deepId, NORMAL_MARK);

    await goToEvent(page, deepId);
    await expect.poll(() => heading(page)).toBe(deepId);
    const marker = page.locator('[data-testid=payload] .j-elided');
    await expect.poll(() => marker.count()).toBe(1);
    const left = Number(
      /… ([\d,]+) more levels/.exec((await marker.textContent()) ?? '')?.[1]?.replace(/,/g, ''),
    );
    const drawn = await page.locator('[data-testid=payload] .j-bracket', { hasText: /^\[$/ }).count();
    // Every level is accounted for: the ones drawn plus the ones the marker stands for.
    expect(drawn).toBeGreaterThan(10);
    expect(drawn + left).toBe(DEPTH);
    expect(await page.getByTestId('view-error').count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(NORMAL_MARK);
    expect(await leaks(page)).toEqual([]);
    await page.close();
  });

  it('shows a failing view as an error panel naming its event, never the previous event’s data', async () => {
    const brokenId = newId('broken');
    expect(await deliver(brokenId, envelope(brokenId, 'inspector.broken', { fine: true }))).toBe(200);
    const page = await signedIn();
    // A record the page cannot draw (a receiver answering a shape this page does not know): the
    // failure must stay inside the event view and say which event it was.
    const stored = await readEvent(brokenId);
    await page.route(`**/events/${brokenId}`, (route) =>
      route.fulfill({ json: { ...stored, received_at: 12345, headers: null } }),
    );
    await goToEvent(page, normalId);
    await expect.poll(() => page.getByTestId('payload').textContent()).toContain(NORMAL_MARK);
    await watchForLeak(page, brokenId, NORMAL_MARK);

    await goToEvent(page, brokenId);
    const panel = page.getByTestId('view-error');
    await expect.poll(() => panel.textContent()).toContain(brokenId);
    expect(await panel.textContent()).toMatch(/^The event view failed for .+: TypeError: /);
    expect(await page.locator('main').textContent()).not.toContain(NORMAL_MARK);
    expect(await leaks(page)).toEqual([]);

    // The next event draws again: the failure belonged to that one event.
    await goToEvent(page, normalId);
    await expect.poll(() => page.getByTestId('payload').textContent()).toContain(NORMAL_MARK);
    expect(await panel.count()).toBe(0);
    await page.close();
  });

  it('highlights 20 000 contract errors and stays interactive within 5 s', async () => {
    const id = newId('errors');
    const example = JSON.parse(
      readFileSync(join(contractsDir, 'examples/chat.message.created/valid.example.json'), 'utf8'),
    ) as { id: string; data: { message: { mentions: unknown[] } } };
    example.id = id;
    example.data.message.mentions = Array.from({ length: 20_000 }, () => 0);
    expect(await deliver(id, JSON.stringify(example))).toBe(200);

    // The page is handed exactly 20 000 errors whatever the receiver keeps (it may bound what it
    // stores): the page must be linear in the count it is given.
    const stored = await readEvent(id);
    expect(stored['status']).toBe('quarantined');
    const errors = Array.from({ length: 20_000 }, (_, i) => ({
      pointer: `/data/message/mentions/${i}`,
      message: 'must be string',
    }));
    const page = await signedIn();
    await page.route(`**/events/${id}`, (route) =>
      route.fulfill({ json: { ...stored, errors, error_count: errors.length, errors_truncated: false } }),
    );
    await page.locator('[data-testid=events]').waitFor();

    const started = Date.now();
    await goToEvent(page, id);
    await page.locator('[data-testid=payload] .line.hl').first().waitFor({ timeout: 30_000 });
    await page.evaluate(() => 'the main thread answers');
    const elapsed = Date.now() - started;
    console.log(`20 000 errors: event view drawn and interactive after ${elapsed} ms`);
    expect(elapsed).toBeLessThan(5000);

    expect(await page.getByTestId('errors-title').textContent()).toBe('Contract errors (20,000)');
    // Exactly the items of the offending array are highlighted, and nothing else.
    const drawn = await page.locator('[data-testid=payload] .line').evaluateAll((els) =>
      els.map((el) => ({
        pointer: el.getAttribute('data-pointer') ?? '',
        hit: el.classList.contains('hl'),
      })),
    );
    const items = drawn.filter((line) => /^\/data\/message\/mentions\/\d+$/.test(line.pointer));
    expect(items.length).toBeGreaterThan(1000);
    expect(drawn.filter((line) => line.hit)).toEqual(items.map((line) => ({ ...line, hit: true })));
    await page.getByRole('button', { name: 'Show all 20,000 errors' }).click();
    await expect.poll(() => page.locator('[data-testid=errors] li').count()).toBe(20_000);
    await page.close();
  });

  it('heads a bounded error list with the count the receiver found, and says how many it lists', async () => {
    const id = newId('bounded');
    const example = JSON.parse(
      readFileSync(join(contractsDir, 'examples/chat.message.created/valid.example.json'), 'utf8'),
    ) as { id: string; data: { message: { mentions: unknown[] } } };
    example.id = id;
    example.data.message.mentions = Array.from({ length: 50 }, () => 0);
    expect(await deliver(id, JSON.stringify(example))).toBe(200);
    expect(await readEvent(id)).toMatchObject({
      status: 'quarantined',
      error_count: 50,
      errors_truncated: true,
    });

    const page = await signedIn();
    await page.locator('[data-testid=events]').waitFor();
    await goToEvent(page, id);
    await expect
      .poll(() => page.getByTestId('errors-title').textContent())
      .toBe('Contract errors (50, the first 20 listed)');
    expect(await page.locator('[data-testid=errors] li').count()).toBe(20);
    await page.close();
  });

  it('isolates a type written with a right-to-left override and shows the override as a character', async () => {
    const id = newId('rlo');
    const type = `payment.${RLO}deliaf`;
    expect(await deliver(id, envelope(id, type, { n: 1 }))).toBe(200);
    const page = await signedIn();
    const row = page.locator('[data-testid=events] tbody tr', { hasText: id });
    await row.waitFor();
    const cell = row.locator('td').nth(1);
    const style = await cell.locator('bdi').evaluate((el) => {
      const { unicodeBidi, direction } = getComputedStyle(el);
      return { unicodeBidi, direction };
    });
    expect(style).toEqual({ unicodeBidi: 'isolate', direction: 'ltr' });
    expect(await cell.textContent()).toBe('payment.U+202Edeliaf');
    expect(await cell.locator('.ctl').getAttribute('title')).toBe('invisible character U+202E');

    await goToEvent(page, id);
    await expect.poll(() => heading(page)).toBe(id);
    const fact = page.locator('.facts dd').first();
    expect(await fact.textContent()).toBe('payment.U+202Edeliaf');
    expect(await fact.locator('bdi').count()).toBe(1);
    await page.close();
  });

  it('truncates a 200 KB type, keeps every column on screen, and expands it on request', async () => {
    const id = newId('long');
    const type = `long.${'x'.repeat(200_000)}`;
    expect(await deliver(id, envelope(id, type, { n: 1 }))).toBe(200);
    const page = await signedIn();
    const table = page.getByTestId('events');
    const row = table.locator('tbody tr', { hasText: id });
    await row.waitFor();
    const cell = row.locator('td').nth(1);
    const columnsOnScreen = async () => {
      const width = page.viewportSize()!.width;
      const boxes = await table
        .locator('thead th')
        .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().right));
      expect(boxes).toHaveLength(6);
      for (const right of boxes) expect(right).toBeLessThanOrEqual(width);
      const wrap = await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(wrap).toBe(0);
    };

    expect((await cell.locator('bdi').textContent())!.length).toBeLessThan(200);
    await columnsOnScreen();
    const expand = cell.getByRole('button', { name: 'Show all 200,005 characters' });
    await expand.click();
    await expect.poll(async () => (await cell.locator('bdi').textContent())!.length).toBe(type.length);
    await columnsOnScreen();
    await page.close();
  });

  it('shows a membership whose id and user a sender wrote isolated, overrides as characters, clipped', async () => {
    const example = JSON.parse(
      readFileSync(join(contractsDir, 'examples', 'membership.activated', 'valid.example.json'), 'utf8'),
    ) as { data: { user: object } };
    const id = newId('membership');
    const membershipId = `mem_${RLO}deliaf`;
    const userId = `user_${'u'.repeat(10_000)}`;
    const body = {
      ...example,
      id,
      data: { ...example.data, id: membershipId, user: { ...example.data.user, id: userId } },
    };
    expect(await deliver(id, JSON.stringify(body))).toBe(200);
    const page = await signedIn('#/memberships');
    const row = page.locator('[data-testid=memberships] tbody tr', { hasText: 'mem_U+202Edeliaf' });
    await row.waitFor();
    const idCell = row.locator('td').first();
    expect(await idCell.textContent()).toBe('mem_U+202Edeliaf');
    expect(await idCell.locator('.ctl').getAttribute('title')).toBe('invisible character U+202E');
    const style = await idCell.locator('bdi').evaluate((el) => {
      const { unicodeBidi, direction } = getComputedStyle(el);
      return { unicodeBidi, direction };
    });
    expect(style).toEqual({ unicodeBidi: 'isolate', direction: 'ltr' });
    const userCell = row.locator('td').nth(1);
    expect((await userCell.locator('bdi').textContent())!.length).toBeLessThan(100);
    await userCell.getByRole('button', { name: 'Show all 10,005 characters' }).click();
    await expect.poll(async () => (await userCell.locator('bdi').textContent())!.length).toBe(userId.length);
    await page.close();
  });

  it('counts every delivery outcome the receiver has, refusals included', async () => {
    // 413: a body over MAX_BODY_BYTES.
    const bigId = newId('big');
    expect(await deliver(bigId, envelope(bigId, 'inspector.big', 'y'.repeat(MAX_BODY_BYTES)))).toBe(413);
    // 503 overloaded: one upload sends all but its last byte, filling the in-flight budget
    // (MAX_INFLIGHT_BODY_BYTES = MAX_BODY_BYTES here: bytes count as they arrive), and stalls. The
    // next delivery does not fit: it is refused, or, once the stalled body is over a second old,
    // the stalled one is cut to make room. Either way one delivery is answered 503 overloaded.
    const stalled = stallUpload(newId('stalled'));
    await expect
      .poll(async () => inflightBytes(await (await fetch(`${receiver.url}/metrics`)).text()), {
        timeout: 10_000,
      })
      .toBe(MAX_BODY_BYTES - 1);
    const refusedId = newId('refused');
    const next = await deliver(refusedId, envelope(refusedId, 'inspector.refused', {}));
    if (next === 200) await expect.poll(() => stalled.status(), { timeout: 10_000 }).toBe(503);
    else expect(next).toBe(503);
    stalled.destroy();

    const metrics = await (await fetch(`${receiver.url}/metrics`)).text();
    const scraped = new Map(
      [...metrics.matchAll(/^webhook_deliveries_total\{outcome="(\w+)"\} (\d+)/gm)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect(scraped.get('too_large')).toBe('1');
    expect(scraped.get('overloaded')).toBe('1');

    const page = await signedIn('#/counters');
    for (const [outcome, value] of scraped) {
      await expect
        .poll(() => page.locator(`[data-outcome=${outcome}] .counter-value`).textContent())
        .toBe(value);
    }
    expect(await page.locator('[data-outcome=too_large] .counter-label').textContent()).toBe(
      'Rejected: too large',
    );
    expect(await page.locator('[data-outcome=overloaded] .counter-label').textContent()).toBe(
      'Refused: overloaded',
    );
    await page.close();

    // An outcome the page has never heard of still shows, under a label made from its name.
    const later = await signedIn();
    await later.route(
      (url) => url.pathname === '/metrics',
      async (route) => {
        const real = await route.fetch();
        const text = `${await real.text()}webhook_deliveries_total{outcome="body_too_slow"} 2\n`;
        await route.fulfill({ response: real, body: text });
      },
    );
    await goToHash(later, '#/counters');
    const novel = later.locator('[data-outcome=body_too_slow]');
    await expect.poll(() => novel.locator('.counter-value').textContent()).toBe('2');
    expect(await novel.locator('.counter-label').textContent()).toBe('Body too slow');
    await later.close();
  });

  it('logged no console errors', () => {
    expect(pages.errors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('the mock-sender page facing a hostile target', () => {
  const SENDER_TOKEN = 'inspector-hostile-sender-token-0123456789';
  // A "receiver" that refuses everything with an error code written to mislead: a right-to-left
  // override (it reads "failed" backwards) and 1 500 more characters (the sender keeps 200 of a
  // reason).
  const code = `ok_${RLO}deliaf${'q'.repeat(1500)}`;
  let target: Server;
  let targetUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let pages: ReturnType<typeof pageOpener>;
  let sender: Awaited<ReturnType<typeof startBuiltSenderServe>>;

  beforeAll(async () => {
    requireBuilt();
    target = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code, message: 'no' } }));
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = target.address();
    if (address === null || typeof address === 'string') throw new Error('the target has no port');
    targetUrl = `http://127.0.0.1:${address.port}/webhooks`;
    sender = await startBuiltSenderServe({
      SENDER_API_TOKEN: SENDER_TOKEN,
      SENDER_ALLOWED_TARGETS: targetUrl,
      WEBHOOK_SECRET: whsecSecret,
    });
    browser = await launchChromium();
    pages = pageOpener(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    await sender?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it("shows the target's error code isolated, its override as a character, bounded by the sender", async () => {
    const page = await pages.open(`${sender.url}/#/check`);
    await signIn(page, SENDER_TOKEN);
    await expect.poll(() => page.getByLabel('Target', { exact: true }).inputValue()).toBe(targetUrl);
    await page.getByRole('button', { name: 'Run check' }).click();
    await page.locator('[data-testid=run]:not([data-status=running])').waitFor({ timeout: 60_000 });
    const reason = page.locator('[data-testid=check-results] tbody tr td:last-child bdi').first();
    const text = (await reason.textContent())!;
    expect(text.slice(0, 30)).toBe('error code ok_U+202Edeliafqqqq');
    expect(text).not.toContain(RLO);
    // The sender keeps 200 characters of a reason, so the page has nothing more to show.
    expect(text).toBe(`${`error code ${code}`.slice(0, 199)}…`.replace(RLO, 'U+202E'));
    expect(await reason.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    expect(pages.errors).toEqual([]);
    await page.close();
  });
});

async function goToHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/**
 * Starts a signed upload of exactly MAX_BODY_BYTES (the whole in-flight budget), sends 1 KB of it
 * and stalls; destroy() ends it.
 */
function stallUpload(id: string): { destroy(): void; status(): number | undefined } {
  const padding = MAX_BODY_BYTES - envelope(id, 'inspector.stalled', '').length;
  const body = envelope(id, 'inspector.stalled', 'z'.repeat(padding));
  expect(body.length).toBe(MAX_BODY_BYTES);
  const signed = referenceSigned(whsecSecret, id, body);
  const url = new URL(`${receiver.url}/webhooks`);
  let status: number | undefined;
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json', 'content-length': signed.body.length },
  });
  req.on('error', () => {});
  req.on('response', (res) => {
    status = res.statusCode;
    res.resume();
  });
  req.write(signed.body.subarray(0, signed.body.length - 1));
  return { destroy: () => req.destroy(), status: () => status };
}

/** `webhook_inflight_body_bytes` from a /metrics text. */
function inflightBytes(metrics: string): number | undefined {
  const value = /^webhook_inflight_body_bytes (\d+)/m.exec(metrics)?.[1];
  return value === undefined ? undefined : Number(value);
}
