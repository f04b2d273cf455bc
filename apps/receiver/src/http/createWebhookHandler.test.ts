import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Webhook } from '@webhook-contracts/webhooks';
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { capturingLogger } from '../test-support/capturingLogger.js';
import {
  completedEvent,
  otherSecret,
  send,
  signedRequest,
  testSecret,
} from '../test-support/signedRequest.js';
import { serveWebhookRouter } from '../test-support/webhookRouterServer.js';
import { createWebhookRouter } from './createWebhookRouter.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(options: Partial<Parameters<typeof createWebhookRouter>[0]> = {}) {
  const metrics = new ReceiverMetrics();
  const { logger, lines } = capturingLogger();
  const woken: string[] = [];
  const { url, store, close } = await serveWebhookRouter({
    metrics,
    logger,
    processor: { wake: () => woken.push('wake') },
    ...options,
  });
  cleanups.push(close);
  /** Each delivery outcome counted so far, and the duplicate counter. */
  const counted = async () => {
    const outcomes: Record<string, number> = {};
    for (const v of (await metrics.deliveries.get()).values) outcomes[String(v.labels['outcome'])] = v.value;
    return { outcomes, duplicates: (await metrics.duplicatesSeen.get()).values[0]?.value ?? 0 };
  };
  return { url, store, lines, woken, counted };
}

async function bodyOf(res: Response) {
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

const unknownType = () => ({ ...completedEvent(), type: 'payout.created', data: {} });
const offContract = () => {
  const event = completedEvent();
  return { ...event, data: { ...(event['data'] as object), completed: 'yes' } };
};

describe('POST /webhooks answers', () => {
  it('accepts a new event: 200, counted, logged at debug, the processor woken once', async () => {
    const r = await serve();
    const request = signedRequest();
    expect(await bodyOf(await send(r.url, request))).toEqual({
      status: 200,
      retryAfter: null,
      body: { status: 'accepted', webhook_id: request.id },
    });
    expect(r.woken).toEqual(['wake']);
    expect(await r.counted()).toEqual({ outcomes: { accepted: 1 }, duplicates: 0 });
    expect(r.lines).toEqual([{ level: 'debug', webhookId: request.id, msg: 'delivery accepted' }]);
  });

  it('answers a repeat as a duplicate, counted twice over and without waking the processor', async () => {
    const r = await serve();
    const request = signedRequest();
    await send(r.url, request);
    expect(await bodyOf(await send(r.url, request))).toMatchObject({
      status: 200,
      body: { status: 'duplicate', webhook_id: request.id, deliveries_seen: 2 },
    });
    expect(r.woken).toEqual(['wake']);
    expect(await r.counted()).toEqual({ outcomes: { accepted: 1, duplicate: 1 }, duplicates: 1 });
    expect(r.lines.at(-1)).toEqual({
      level: 'debug',
      webhookId: request.id,
      deliveriesSeen: 2,
      msg: 'duplicate delivery',
    });
  });

  it('keeps an unknown type as unhandled and an off-contract event as quarantined, logged at info', async () => {
    const r = await serve();
    const unknown = signedRequest({ payload: unknownType() });
    expect(await bodyOf(await send(r.url, unknown))).toEqual({
      status: 200,
      retryAfter: null,
      body: { status: 'unhandled', webhook_id: unknown.id },
    });
    const off = signedRequest({ payload: offContract() });
    const quarantined = await bodyOf(await send(r.url, off));
    expect(quarantined).toMatchObject({
      status: 200,
      body: { status: 'quarantined', webhook_id: off.id, errors: [{ pointer: expect.any(String) }] },
    });
    expect(r.woken).toEqual([]);
    expect(await r.counted()).toEqual({ outcomes: { unhandled: 1, quarantined: 1 }, duplicates: 0 });
    expect(r.lines).toEqual([
      {
        level: 'info',
        webhookId: unknown.id,
        type: 'payout.created',
        status: 'unhandled',
        msg: 'delivery of an unknown type kept',
      },
      {
        level: 'info',
        webhookId: off.id,
        type: 'course_lesson_interaction.completed',
        status: 'quarantined',
        msg: 'delivery quarantined: off contract',
      },
    ]);
  });

  it('refuses off-contract events and bodies that are not JSON with 422 in strict mode, storing nothing', async () => {
    const r = await serve({ contractMode: 'strict' });
    const off = signedRequest({ payload: offContract() });
    const refused = await bodyOf(await send(r.url, off));
    expect(refused).toMatchObject({
      status: 422,
      body: { error: { code: 'contract_violation', details: [{ pointer: expect.any(String) }] } },
    });
    const notJson = await bodyOf(await send(r.url, signedRequest({ payload: '{"id":' })));
    expect(notJson).toMatchObject({ status: 422, body: { error: { code: 'invalid_json' } } });
    expect(await r.store.getEvent(off.id)).toBeNull();
    expect(await r.counted()).toEqual({ outcomes: { rejected_contract: 2 }, duplicates: 0 });
    expect(r.lines[0]).toEqual({
      level: 'warn',
      webhookId: off.id,
      code: 'contract_violation',
      msg: 'delivery rejected: off contract (strict)',
    });
  });

  it('refuses a body signed with another secret with 401, counted and logged at warn', async () => {
    const r = await serve();
    const res = await bodyOf(await send(r.url, signedRequest({ secret: otherSecret })));
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'no_matching_signature' } } });
    expect(await r.counted()).toEqual({ outcomes: { rejected_signature: 1 }, duplicates: 0 });
    expect(r.lines).toEqual([
      {
        level: 'warn',
        code: 'no_matching_signature',
        msg: 'delivery rejected: signature verification failed',
      },
    ]);
  });

  it('answers 503 store_unavailable with Retry-After when the store fails, and logs it as an error', async () => {
    const r = await serve();
    const refusing = Object.assign(Object.create(r.store) as SqliteStore, {
      insertDelivery: () => Promise.reject(new Error('disk on fire')),
    });
    const failing = await serve({ store: refusing, retryAfterSeconds: 3 });
    const request = signedRequest();
    expect(await bodyOf(await send(failing.url, request))).toEqual({
      status: 503,
      retryAfter: '3',
      body: {
        error: {
          code: 'store_unavailable',
          message: 'The event store cannot take the delivery right now: retry later',
        },
      },
    });
    expect(await failing.counted()).toEqual({ outcomes: { store_unavailable: 1 }, duplicates: 0 });
    expect(failing.lines).toMatchObject([
      {
        level: 'error',
        webhookId: request.id,
        err: { message: 'disk on fire' },
        msg: 'store could not take the delivery',
      },
    ]);
  });

  it('answers an unexpected failure with 500 internal_error and logs it', async () => {
    const broken = Object.assign(Object.create(new Webhook(testSecret)) as Webhook, {
      unwrap: () => {
        throw new TypeError('bug in unwrap');
      },
    });
    const r = await serve({ webhook: broken });
    expect(await bodyOf(await send(r.url, signedRequest()))).toEqual({
      status: 500,
      retryAfter: null,
      body: {
        error: { code: 'internal_error', message: 'Unexpected error in the receiver; it has been logged' },
      },
    });
    expect(r.lines).toMatchObject([
      {
        level: 'error',
        err: { message: 'bug in unwrap' },
        msg: 'unexpected error while receiving a webhook',
      },
    ]);
  });

  it('answers 500, not 401, when the header precheck fails for a reason of its own', async () => {
    // A tolerance the given webhook never checked: the precheck refuses it on every request.
    const r = await serve({ webhook: new Webhook(testSecret), toleranceSeconds: -1 });
    expect(await bodyOf(await send(r.url, signedRequest()))).toMatchObject({
      status: 500,
      body: { error: { code: 'internal_error' } },
    });
    expect(r.lines).toMatchObject([
      { level: 'error', err: { code: 'invalid_options' }, msg: 'unexpected error while receiving a webhook' },
    ]);
  });

  it('refuses to be built without a secret or a webhook, saying what to pass', () => {
    const store = new SqliteStore({ filename: ':memory:' });
    cleanups.push(() => store.close());
    expect(() => createWebhookRouter({ store })).toThrow(/^The list of webhook secrets is empty: /);
  });

  it('answers a duplicate without metrics to count it in', async () => {
    const { url, close } = await serveWebhookRouter();
    cleanups.push(close);
    const request = signedRequest();
    expect((await send(url, request)).status).toBe(200);
    expect(await bodyOf(await send(url, request))).toMatchObject({
      status: 200,
      body: { status: 'duplicate', webhook_id: request.id, deliveries_seen: 2 },
    });
  });

  it('answers early on a connection the client asked to close while the body is still arriving, then reads the rest and closes cleanly', async () => {
    const r = await serve();
    const { port } = new URL(r.url);
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const head =
      'POST /webhooks HTTP/1.1\r\nhost: x\r\nconnection: close\r\nwebhook-id: msg_1\r\n' +
      `webhook-timestamp: 1\r\nwebhook-signature: v1,${'A'.repeat(43)}=\r\ncontent-length: ${body.length}\r\n\r\n`;
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        text += chunk;
        if (text.includes('}}')) resolve();
      });
    });
    const closed = new Promise<string>((resolve) => {
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve('closed'));
    });
    // Half the body, then nothing until the answer is in: it must come while the body is unfinished.
    socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, body.length / 2)]));
    await answered;
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text).toContain('"code":"timestamp_too_old"');
    // The rest is read and discarded; then the server closes, without a reset.
    socket.write(body.subarray(body.length / 2));
    expect(await closed).toBe('closed');
    expect(await r.counted()).toEqual({ outcomes: { rejected_signature: 1 }, duplicates: 0 });
  });

  it('answers early and drains before closing when every answer closes its connection, as during shutdown', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const app = express();
    app.use('/webhooks', createWebhookRouter({ secret: testSecret, store }));
    const server = createServer(app);
    // What main does on SIGTERM.
    server.prependListener('request', (_req, res) => {
      res.setHeader('connection', 'close');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    });
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let text = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        text += chunk;
        if (text.includes('}}')) resolve();
      });
    });
    const closed = new Promise<string>((resolve) => {
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve('closed'));
    });
    const body = Buffer.alloc(1024 * 1024, 0x20);
    socket.write(
      `POST /webhooks HTTP/1.1\r\nhost: x\r\nwebhook-id: msg_1\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 1000));
    await answered;
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    socket.write(body.subarray(1000));
    expect(await closed).toBe('closed');
  });

  it('stops the drain after a refusal when the rest of the body stalls below the minimum rate', async () => {
    const r = await serve({ minBodyRate: { bytesPerSecond: 1000, windowMs: 300 } });
    const { port } = new URL(r.url);
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    const closed = new Promise<string>((resolve) => {
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve('closed'));
    });
    const started = performance.now();
    socket.write(
      'POST /webhooks HTTP/1.1\r\nhost: x\r\nwebhook-id: msg_1\r\ncontent-length: 100000\r\n\r\n{',
    );
    expect(await closed).toMatch(/^closed$|ECONNRESET/);
    // One window and a quarter, with slack: not the 10 s drain bound.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('counts a body that arrives too slowly as body_too_slow, and logs it', async () => {
    const r = await serve({ minBodyRate: { bytesPerSecond: 1000, windowMs: 200 } });
    const request = signedRequest();
    const { port } = new URL(r.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.resume();
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /webhooks HTTP/1.1\r\nhost: x\r\n${Object.entries(request.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}content-length: ${request.body.length}\r\n\r\n{`,
    );
    await closed;
    expect(await r.counted()).toEqual({ outcomes: { body_too_slow: 1 }, duplicates: 0 });
    expect(r.lines).toEqual([{ level: 'info', code: 'body_too_slow', msg: 'delivery rejected' }]);
  });

  it('logs at most 10 refusals of a kind per interval, and counts every one', async () => {
    const r = await serve();
    for (let i = 0; i < 25; i++) {
      const res = await send(r.url, signedRequest({ secret: otherSecret }));
      expect(res.status).toBe(401);
    }
    expect(await r.counted()).toEqual({ outcomes: { rejected_signature: 25 }, duplicates: 0 });
    expect(r.lines).toHaveLength(10);
    expect(new Set(r.lines.map((l) => l.msg))).toEqual(
      new Set(['delivery rejected: signature verification failed']),
    );
  });

  it('logs a signed event with a 200 KB type with the type cut to 200 characters', async () => {
    const r = await serve();
    const type = 't'.repeat(200_000);
    const request = signedRequest({ payload: { ...unknownType(), type } });
    expect(await bodyOf(await send(r.url, request))).toMatchObject({
      status: 200,
      body: { status: 'unhandled' },
    });
    expect(r.lines).toEqual([
      {
        level: 'info',
        webhookId: request.id,
        type: `${'t'.repeat(200)}…[truncated, 200000 chars]`,
        status: 'unhandled',
        msg: 'delivery of an unknown type kept',
      },
    ]);
    // The event itself keeps the whole type.
    expect((await r.store.getEvent(request.id))?.type).toBe(type);
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const r = await serve();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(r.url, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toEqual({
        error: { code: 'method_not_allowed', message: 'Send webhooks with POST' },
      });
    }
  });

  it('uses a handler it is given instead of making one', async () => {
    const seen: string[] = [];
    const r = await serve({
      handler: (req: ExpressRequest, res: ExpressResponse) => {
        seen.push(String(req.headers['webhook-id']));
        res.status(204).end();
      },
    });
    const request = signedRequest();
    expect((await send(r.url, request)).status).toBe(204);
    expect(seen).toEqual([request.id]);
    expect(await r.store.getEvent(request.id)).toBeNull();
  });
});
