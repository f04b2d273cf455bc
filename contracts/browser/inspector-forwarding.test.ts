// The receiver inspector's Forwarding view in Chromium, against the BUILT receiver forwarding to a
// real HTTP endpoint this test controls: while the endpoint answers 500 every event becomes a dead
// letter (FORWARD_MAX_ATTEMPTS=1); once it answers 200, "Forward again" (one row, then every row a
// filter matches) sends them and the rows leave the table.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeadLetterPage, EventRecord, ForwardingSummary } from '@webhook-contracts/schema';
import {
  type LocalServer,
  listenLocally,
  deliver as post,
  type RunningProgram,
  requireBuilt,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { referenceSigned, whsecSecret } from '../test/support/referenceWebhook.js';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { pageOpener, shot, signIn } from './support/inspectorPage.js';

const hasChromium = existsSync(chromiumPath);
const TOKEN = 'inspector-forwarding-token-0123456789';

let dir: string;
let receiver: RunningProgram & { url: string };
let quiet: RunningProgram & { url: string };
let endpoint: LocalServer;
/** What the endpoint answers; the webhook-ids it answered 2xx for. */
let endpointStatus = 500;
const acknowledged: string[] = [];
let browser: Awaited<ReturnType<typeof launchChromium>>;
let pages: ReturnType<typeof pageOpener>;

const example = (type: string) =>
  readFileSync(join(contractsDir, 'examples', type, 'valid.example.json'), 'utf8');

async function readApi<T>(path: string): Promise<T> {
  const res = await fetch(`${receiver.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const events = [
  ['msg_fwd_membership', 'membership.activated'],
  ['msg_fwd_payment_1', 'payment.succeeded'],
  ['msg_fwd_payment_2', 'payment.failed'],
] as const;

describe.skipIf(!hasChromium)('the receiver inspector: Forwarding', () => {
  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'inspector-forwarding-'));
    endpoint = await listenLocally((req, res) => {
      req.resume();
      req.on('end', () => {
        if (endpointStatus < 300) acknowledged.push(String(req.headers['webhook-id']));
        res.writeHead(endpointStatus).end();
      });
    });
    [receiver, quiet] = await Promise.all([
      startBuiltReceiver({
        WEBHOOK_SECRET: whsecSecret,
        DATABASE_URL: `sqlite:${join(dir, 'forwarding.sqlite')}`,
        RECEIVER_API_TOKEN: TOKEN,
        FORWARD_HTTP_URL: `${endpoint.url}/hook`,
        FORWARD_HTTP_SECRET: whsecSecret,
        FORWARD_MAX_ATTEMPTS: '1',
      }),
      startBuiltReceiver({
        WEBHOOK_SECRET: whsecSecret,
        DATABASE_URL: `sqlite:${join(dir, 'quiet.sqlite')}`,
        RECEIVER_API_TOKEN: TOKEN,
      }),
    ]);
    for (const [id, type] of events) {
      expect(
        (await post(`${receiver.url}/webhooks`, referenceSigned(whsecSecret, id, example(type)))).status,
      ).toBe(200);
    }
    browser = await launchChromium();
    pages = pageOpener(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([receiver?.stop(), quiet?.stop()]);
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says so when forwarding is off', async () => {
    const page = await pages.open(`${quiet.url}/inspect/#/forwarding`);
    await signIn(page, TOKEN);
    await expect
      .poll(() => page.getByTestId('forwarding-off').textContent())
      .toContain('Forwarding is off: set FORWARD_NATS_URL, FORWARD_AMQP_URL or FORWARD_HTTP_URL');
    expect(await page.getByTestId('destinations').count()).toBe(0);
    await page.close();
  });

  it('shows the destination down with its dead letters, and forwards them again once it answers 2xx', async () => {
    await expect
      .poll(async () => (await readApi<DeadLetterPage>('/forwarding/dead-letters')).matching)
      .toBe(events.length);
    const page = await pages.open(`${receiver.url}/inspect/#/forwarding`);
    await signIn(page, TOKEN);
    const destination = page.locator('[data-testid=destinations] tbody tr[data-destination=http]');
    await expect.poll(() => destination.locator('.badge').textContent()).toBe('down');
    expect(await destination.getByTestId('destination-error').textContent()).toContain('500');
    expect(await destination.getByTestId('dead').textContent()).toBe('3');
    expect(await destination.getByTestId('pending').textContent()).toBe('0');
    const rows = page.locator('[data-testid=dead-letters] tbody tr');
    const ids = () => rows.locator('td:first-child').allTextContents();
    await expect.poll(ids).toEqual(events.map(([id]) => id).sort());
    await shot(page, 'receiver-forwarding');

    // The endpoint is back: one row forwarded again leaves the table, and the endpoint has it.
    endpointStatus = 200;
    const membership = rows.filter({ hasText: 'msg_fwd_membership' });
    await membership.getByRole('button', { name: 'Forward again' }).click();
    await expect
      .poll(() => page.getByTestId('forward-result').textContent())
      .toBe('msg_fwd_membership is queued for http again.');
    await expect.poll(ids).toEqual(['msg_fwd_payment_1', 'msg_fwd_payment_2']);
    await expect.poll(() => acknowledged).toContain('msg_fwd_membership');

    // Every row a filter matches, after a confirmation that says how many.
    await page.getByLabel('Type', { exact: true }).fill('payment.*');
    await page.getByLabel('Type', { exact: true }).press('Enter');
    await expect.poll(ids).toEqual(['msg_fwd_payment_1', 'msg_fwd_payment_2']);
    await page.getByRole('button', { name: 'Forward all matching…' }).click();
    expect(await page.getByTestId('confirm-forward-all').textContent()).toContain(
      'Forward again the 2 dead letters matching this filter?',
    );
    await page.getByRole('button', { name: 'Forward 2' }).click();
    await expect
      .poll(() => page.getByTestId('forward-result').textContent())
      .toBe('2 dead letters queued for forwarding again.');
    await expect.poll(() => rows.first().textContent()).toBe('No dead letters match.');
    await expect.poll(() => [...acknowledged].sort()).toEqual(events.map(([id]) => id).sort());

    // The summary follows: up, nothing dead, three forwarded by this instance.
    await expect.poll(() => destination.locator('.badge').textContent()).toBe('up');
    await expect.poll(() => destination.getByTestId('dead').textContent()).toBe('0');
    const summary = await readApi<ForwardingSummary>('/forwarding');
    expect(summary.destinations[0]).toMatchObject({ destination: 'http', up: true, dead: 0, forwarded: 3 });
    await page.close();
  });

  it("shows each destination's state in the event detail", async () => {
    const record = await readApi<EventRecord>('/events/msg_fwd_payment_1');
    expect(record.forwarding).toMatchObject([{ destination: 'http', state: 'forwarded', attempts: 1 }]);
    const page = await pages.open(`${receiver.url}/inspect/#/events/msg_fwd_payment_1`);
    await signIn(page, TOKEN);
    const row = page.locator('[data-testid=forwarding] tbody tr[data-destination=http]');
    await expect.poll(() => row.locator('.badge').textContent()).toBe('forwarded');
    expect(await row.locator('td').nth(2).textContent()).toBe('1');
    await page.close();
  });

  it('logged no console errors', () => {
    expect(pages.errors).toEqual([]);
  });
});
