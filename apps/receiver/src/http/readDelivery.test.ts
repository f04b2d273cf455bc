// How POST /webhooks reads a request: the header precheck before the body, the in-flight body
// budget, the size limit, and how a connection answered early is left (drained or closed).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@webhook-contracts/test-kit';
import { Webhook } from '@webhook-contracts/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CountingBodyBudget } from '../test-support/CountingBodyBudget.js';
import { rawConnection, requestHead } from '../test-support/rawHttp.js';
import { otherSecret, send, signedRequest, testSecret } from '../test-support/signedRequest.js';
import { serveWebhookRouter } from '../test-support/webhookRouterServer.js';
import type { WebhookRouterOptions } from './createWebhookRouter.js';
import { InflightBodyBudget } from './InflightBodyBudget.js';
import { type DeliveryRead, deliveryReader } from './readDelivery.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(options: Partial<WebhookRouterOptions> = {}) {
  const served = await serveWebhookRouter(options);
  cleanups.push(served.close);
  return served;
}

async function answer(res: Response) {
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { error?: { code: string; message: string }; status?: string },
  };
}

/** The signed request's headers, changed by `edit` (a value of undefined removes the header). */
function headersOf(request = signedRequest(), edit: Record<string, string | undefined> = {}) {
  const headers: Record<string, string | number> = { ...request.headers };
  for (const [name, value] of Object.entries(edit)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

describe('the webhook header precheck', () => {
  const now = Math.floor(Date.now() / 1000);
  it.each([
    ['missing_header', { 'webhook-id': undefined }],
    ['missing_header', { 'webhook-signature': undefined }],
    ['invalid_timestamp', { 'webhook-timestamp': 'soon' }],
    ['timestamp_too_old', { 'webhook-timestamp': String(now - 3600) }],
    ['timestamp_too_new', { 'webhook-timestamp': String(now + 3600) }],
    ['invalid_signature_header', { 'webhook-signature': 'v2,abc' }],
  ])('answers 401 %s, stores nothing and keeps the connection', async (code, edit) => {
    const { port, store } = await serve();
    const request = signedRequest();
    const conn = rawConnection(port);
    // Only the head: the answer comes before the body is read.
    conn.write(
      requestHead('/webhooks', { ...headersOf(request, edit), 'content-length': request.body.length }),
    );
    const first = await conn.nextAnswer();
    expect(first.status).toBe(401);
    expect(first.headers['connection']).not.toBe('close');
    expect(JSON.parse(first.body)).toEqual({ error: { code, message: expect.any(String) } });
    // The refused body is read and dropped, so the next request on the connection is served.
    conn.write(request.body);
    const next = signedRequest();
    conn.write(requestHead('/webhooks', { ...next.headers, 'content-length': next.body.length }));
    conn.write(next.body);
    expect((await conn.nextAnswer()).status).toBe(200);
    expect(await store.getEvent(request.id)).toBeNull();
    conn.socket.destroy();
  });

  it('closes the connection instead of draining a refused body over the drain limit', async () => {
    // The drain limit is four times the body limit, and at least 4 MiB. The client below sends no
    // body: the drain waits for it only one rate window.
    const small = await serve({ maxBodyBytes: 1024, minBodyRate: { bytesPerSecond: 1000, windowMs: 200 } });
    const closing = rawConnection(small.port);
    closing.write(
      requestHead('/webhooks', {
        ...headersOf(signedRequest(), { 'webhook-id': undefined }),
        'content-length': 4 * 1024 * 1024 + 1,
      }),
    );
    const refused = await closing.nextAnswer();
    expect(refused.status).toBe(401);
    expect(refused.headers['connection']).toBe('close');
    expect(await closing.closed).toBe('closed');

    const large = await serve({ maxBodyBytes: 2 * 1024 * 1024 });
    const draining = rawConnection(large.port);
    draining.write(
      requestHead('/webhooks', {
        ...headersOf(signedRequest(), { 'webhook-id': undefined }),
        'content-length': 8 * 1024 * 1024,
      }),
    );
    const kept = await draining.nextAnswer();
    expect(kept.status).toBe(401);
    expect(kept.headers['connection']).not.toBe('close');
    draining.socket.destroy();
  });

  it('uses the configured tolerance and clock for the precheck and the signature alike', async () => {
    // A clock far from the real one: only the given `now` can make these timestamps fresh.
    const clock = Date.UTC(2031, 5, 1);
    const seconds = clock / 1000;
    const { url, store } = await serve({ now: () => clock, toleranceSeconds: 60 });
    const fresh = signedRequest({ timestamp: seconds - 50 });
    expect((await answer(await send(url, fresh))).status).toBe(200);
    expect((await store.getEvent(fresh.id))?.receivedAt).toBe(clock);
    const stale = await answer(await send(url, signedRequest({ timestamp: seconds - 70 })));
    expect(stale.status).toBe(401);
    expect(stale.body.error?.code).toBe('timestamp_too_old');

    const lenient = await serve({ now: () => clock });
    expect((await send(lenient.url, signedRequest({ timestamp: seconds - 290 }))).status).toBe(200);
    expect((await send(lenient.url, signedRequest({ timestamp: seconds - 310 }))).status).toBe(401);
  });
});

describe('the in-flight body budget', () => {
  it('answers 503 overloaded with Retry-After and closes the connection when a chunk does not fit', async () => {
    const budget = new InflightBodyBudget(4096);
    const { port, url, store } = await serve({ maxInflightBodyBytes: budget, retryAfterSeconds: 9 });
    // Other requests' bytes fill the budget.
    expect(budget.tryReserve(4096)).toBe(true);
    const request = signedRequest();
    const conn = rawConnection(port);
    conn.write(requestHead('/webhooks', { ...request.headers, 'content-length': request.body.length }));
    conn.write(request.body);
    const refused = await conn.nextAnswer();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('9');
    expect(refused.headers['connection']).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        code: 'overloaded',
        message:
          'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
      },
    });
    expect(await conn.closed).toBe('closed');
    expect(await store.getEvent(request.id)).toBeNull();
    // The refused request gave back what it held: only the others' bytes are left.
    expect(budget.used).toBe(4096);

    budget.release(4096);
    expect((await send(url, signedRequest())).status).toBe(200);
    expect(budget.used).toBe(0);
  });

  it('charges the bytes that arrived, not the content-length announced, so stalled requests leave room', async () => {
    // Room for one whole body and a little more; nothing is cut to make room during the test.
    const budget = new InflightBodyBudget(64 * 1024 + 64, { evictAfterMs: 60_000 });
    const { url, port } = await serve({
      maxBodyBytes: 64 * 1024,
      maxInflightBodyBytes: budget,
      // Stalled bodies are what this test is about: not cut by the minimum rate while it runs.
      minBodyRate: { bytesPerSecond: 1, windowMs: 60_000 },
    });
    // Ten requests announce a whole body each and send one byte: together they hold 10 bytes.
    const stalled = Array.from({ length: 10 }, () => rawConnection(port));
    for (const conn of stalled) {
      conn.write(requestHead('/webhooks', { ...signedRequest().headers, 'content-length': 64 * 1024 }));
      conn.write('{');
    }
    await eventually('budget.used === 10', async () => (budget.used === 10 ? true : undefined));
    expect((await send(url, signedRequest())).status).toBe(200);

    // One of them sends all but 36 bytes of its body: now a delivery's body (about 600 bytes) no
    // longer fits in the 91 bytes left.
    const filling = stalled[0]!;
    filling.write(Buffer.alloc(64 * 1024 - 37, 0x20));
    await eventually('budget.used === 64 * 1024 - 36 + 9', async () =>
      budget.used === 64 * 1024 - 36 + 9 ? true : undefined,
    );
    const refused = await send(url, signedRequest());
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');

    // Its body ends (unauthentic: 401), its bytes are given back, and deliveries get in again.
    filling.write(Buffer.alloc(36, 0x20));
    expect((await filling.nextAnswer()).status).toBe(401);
    await eventually('budget.used === 9', async () => (budget.used === 9 ? true : undefined));
    expect((await send(url, signedRequest())).status).toBe(200);
    for (const conn of stalled) conn.socket.destroy();
    await eventually('budget.used === 0', async () => (budget.used === 0 ? true : undefined));
  });

  it('cuts a body that has been arriving for longer than evictAfterMs to make room for a new one', async () => {
    const budget = new CountingBodyBudget(64 * 1024, { evictAfterMs: 200 });
    const { url, port } = await serve({
      maxBodyBytes: 64 * 1024,
      maxInflightBodyBytes: budget,
      minBodyRate: { bytesPerSecond: 1, windowMs: 60_000 },
    });
    // An unsigned request sends all but one byte of its body and stalls: the budget is full.
    const filling = rawConnection(port);
    filling.write(requestHead('/webhooks', { ...signedRequest().headers, 'content-length': 64 * 1024 }));
    filling.write(Buffer.alloc(64 * 1024 - 1, 0x20));
    await eventually('budget.used === 64 * 1024 - 1', async () =>
      budget.used === 64 * 1024 - 1 ? true : undefined,
    );
    // Until it has held its bytes for 200 ms a delivery is refused; then the delivery cuts it.
    let status = 0;
    for (const deadline = Date.now() + 5000; Date.now() < deadline && status !== 200; ) {
      status = (await send(url, signedRequest())).status;
      expect([200, 503]).toContain(status);
    }
    expect(status).toBe(200);
    const cut = await filling.nextAnswer();
    expect(cut.status).toBe(503);
    expect(JSON.parse(cut.body)).toMatchObject({ error: { code: 'overloaded' } });
    expect(budget.evicted).toBe(1);
    filling.socket.destroy();
  });

  it('drains the rest of a chunked body refused part-way past the limit, so the connection serves the next request', async () => {
    const { port } = await serve({ maxBodyBytes: 1000 });
    const request = signedRequest();
    const conn = rawConnection(port);
    conn.write(requestHead('/webhooks', { ...request.headers, 'transfer-encoding': 'chunked' }));
    // Far more than the socket buffers: the rest must be read, not left waiting.
    const chunk = `4000\r\n${' '.repeat(0x4000)}\r\n`;
    conn.write(chunk);
    const refused = await conn.nextAnswer();
    expect(refused.status).toBe(413);
    expect(refused.headers['connection']).not.toBe('close');
    for (let i = 0; i < 16; i++) conn.write(chunk);
    conn.write('0\r\n\r\n');
    const next = signedRequest();
    conn.write(requestHead('/webhooks', { ...next.headers, 'content-length': next.body.length }));
    conn.write(next.body);
    expect((await conn.nextAnswer()).status).toBe(200);
    conn.socket.destroy();
  });

  it('charges nothing for an empty body', async () => {
    const { url, store } = await serve({ maxBodyBytes: 1024, maxInflightBodyBytes: 1000 });
    const empty = signedRequest({ payload: '' });
    const res = await answer(await send(url, empty));
    expect(res).toMatchObject({ status: 200, body: { status: 'quarantined' } });
    expect((await store.getEvent(empty.id))?.body.length).toBe(0);
  });

  it('gives the bytes back after a body over the limit and after a client that aborts', async () => {
    const budget = new InflightBodyBudget(1024 * 1024);
    const { port } = await serve({ maxBodyBytes: 1000, maxInflightBodyBytes: budget });
    const request = signedRequest();
    const chunked = rawConnection(port);
    chunked.write(requestHead('/webhooks', { ...request.headers, 'transfer-encoding': 'chunked' }));
    chunked.write(`1f4\r\n${' '.repeat(500)}\r\n`);
    await eventually('budget.used === 500', async () => (budget.used === 500 ? true : undefined));
    chunked.write(`1f4\r\n${' '.repeat(500)}\r\n1\r\n \r\n`);
    expect((await chunked.nextAnswer()).status).toBe(413);
    await eventually('budget.used === 0', async () => (budget.used === 0 ? true : undefined));
    chunked.socket.destroy();

    const aborting = rawConnection(port);
    aborting.write(requestHead('/webhooks', { ...request.headers, 'content-length': 900 }));
    aborting.write('{"partial":');
    await eventually('budget.used === 11', async () => (budget.used === 11 ? true : undefined));
    aborting.socket.destroy();
    await eventually('budget.used === 0', async () => (budget.used === 0 ? true : undefined));
  });
});

describe('the minimum body rate', () => {
  it('answers a body that stalls 408 body_too_slow after one window, closes the connection and stores nothing', async () => {
    const { port, store } = await serve({ minBodyRate: { bytesPerSecond: 1000, windowMs: 400 } });
    const request = signedRequest();
    const conn = rawConnection(port);
    const started = performance.now();
    conn.write(requestHead('/webhooks', { ...request.headers, 'content-length': request.body.length }));
    conn.write(request.body.subarray(0, 10));
    const refused = await conn.nextAnswer();
    const afterMs = performance.now() - started;
    expect(refused.status).toBe(408);
    expect(refused.headers['connection']).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        code: 'body_too_slow',
        message:
          'The body arrived slower than 1000 bytes/s over 0.4 s (MIN_BODY_BYTES_PER_SECOND, ' +
          'BODY_RATE_WINDOW_SECONDS): nothing was stored; send the whole body at once',
      },
    });
    // One window, plus up to a quarter window, plus scheduling slack.
    expect(afterMs).toBeGreaterThanOrEqual(390);
    expect(afterMs).toBeLessThan(2000);
    expect(await conn.closed).toBe('closed');
    expect(await store.getEvent(request.id)).toBeNull();
  });

  it('reads a body that keeps the rate, however many windows it takes', async () => {
    const { port, store } = await serve({ minBodyRate: { bytesPerSecond: 200, windowMs: 100 } });
    const request = signedRequest();
    const conn = rawConnection(port);
    conn.write(requestHead('/webhooks', { ...request.headers, 'content-length': request.body.length }));
    // 25 bytes every 10 ms: each 100 ms window needs 20 bytes, so even a tick late by 90 ms keeps
    // the rate; the body takes a few windows.
    let sent = 0;
    const pacer = setInterval(() => {
      conn.write(request.body.subarray(sent, sent + 25));
      sent += 25;
      if (sent >= request.body.length) clearInterval(pacer);
    }, 10);
    const answered = await conn.nextAnswer();
    clearInterval(pacer);
    expect(answered.status).toBe(200);
    expect((await store.getEvent(request.id))?.status).toBe('received');
    conn.socket.destroy();
  });
});

describe('deliveryReader', () => {
  /** Reads one request with a reader of its own and resolves with what read() said. */
  async function readOne(request: ReturnType<typeof signedRequest>): Promise<DeliveryRead> {
    const reader = deliveryReader({
      webhook: new Webhook(testSecret),
      maxBodyBytes: 64 * 1024,
      inflight: new InflightBodyBudget(1024 * 1024),
      toleranceSeconds: 300,
      now: Date.now,
    });
    let read!: (r: DeliveryRead) => void;
    const result = new Promise<DeliveryRead>((resolve) => {
      read = resolve;
    });
    const server = createServer((req, res) => {
      void reader.read(req).then((r) => {
        read(r);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, request);
    return result;
  }

  it('reads a signed delivery on contract as its body, unwrapped', async () => {
    const request = signedRequest();
    expect(await readOne(request)).toMatchObject({
      kind: 'body',
      body: request.body,
      headers: { 'webhook-id': request.id },
      verified: { kind: 'unwrapped', result: { kind: 'event', id: request.id } },
    });
  });

  it('reads a delivery signed with another secret as its body, unauthentic', async () => {
    expect(await readOne(signedRequest({ secret: otherSecret }))).toMatchObject({
      kind: 'body',
      verified: { kind: 'unauthentic', error: { code: 'no_matching_signature' } },
    });
  });

  it('reads a signed delivery off the contract as its body, off contract', async () => {
    const request = signedRequest({ payload: '{"id":' });
    expect(await readOne(request)).toMatchObject({
      kind: 'body',
      body: request.body,
      verified: { kind: 'off_contract', error: { code: 'invalid_json' } },
    });
  });
});
