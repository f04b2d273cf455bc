import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { send, signedRequest, testSecret } from '../test-support/signedRequest.js';
import { createWebhookRouter } from './createWebhookRouter.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(build: (app: Express, store: SqliteStore) => void) {
  const store = new SqliteStore({ filename: ':memory:' });
  const app = express();
  build(app, store);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store };
}

describe('createWebhookRouter mounted in a team app', () => {
  it('receives at its mount path when mounted before express.json()', async () => {
    const woken: number[] = [];
    const { url, store } = await serve((app, store) => {
      app.use(
        '/hooks/whop',
        createWebhookRouter({ secret: testSecret, store, processor: { wake: () => woken.push(1) } }),
      );
      app.use(express.json());
      app.post('/api/echo', (req, res) => {
        res.json(req.body);
      });
    });
    const req = signedRequest();
    const res = await send(`${url}/hooks/whop`, req);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', webhook_id: req.id });
    expect((await store.getEvent(req.id))!.status).toBe('received');
    expect(woken).toEqual([1]);
    // The team's own JSON routes still work.
    const echo = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  it('detects a JSON parser that consumed the body first and says to mount the router before it', async () => {
    const { url, store } = await serve((app, store) => {
      app.use(express.json());
      app.use('/hooks', createWebhookRouter({ secret: testSecret, store }));
    });
    const req = signedRequest();
    const res = await send(`${url}/hooks`, req);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('body_already_consumed');
    expect(body.error.message).toContain('Mount createWebhookRouter() before express.json()');
    expect(await store.getEvent(req.id)).toBeNull();
  });

  it('uses the exact bytes an earlier parser kept in req.rawBody', async () => {
    const { url } = await serve((app, store) => {
      app.use(
        express.json({
          verify: (req, _res, buf) => {
            (req as typeof req & { rawBody?: Buffer }).rawBody = Buffer.from(buf);
          },
        }),
      );
      app.use('/hooks', createWebhookRouter({ secret: testSecret, store }));
    });
    const req = signedRequest({ payload: `${validBodyText()}   ` });
    expect((await send(`${url}/hooks`, req)).status).toBe(200);
  });
});

// A valid body with trailing spaces: JSON.parse accepts it, and only the exact bytes verify.
function validBodyText(): string {
  return signedRequest().body.toString('utf8');
}

describe('an oversized body', () => {
  // Reads HTTP answers off one raw keep-alive connection; resolves with each status line.
  function rawConnection(port: number) {
    const socket = connect(port, '127.0.0.1');
    let buffered = '';
    const waiters: ((status: number) => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const head = buffered.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, head))?.[1] ?? 0);
        if (buffered.length < head + 4 + length) return;
        const status = Number(buffered.slice(9, 12));
        buffered = buffered.slice(head + 4 + length);
        waiters.shift()?.(status);
      }
    });
    const closed = new Promise<string>((resolve) => {
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', () => resolve('closed'));
    });
    return {
      socket,
      nextStatus: () => new Promise<number>((resolve) => waiters.push(resolve)),
      closed,
    };
  }

  it('is answered 413 and then drained, so the client reads the answer and the connection stays usable', async () => {
    const { url } = await serve((app, store) => {
      app.use('/webhooks', createWebhookRouter({ secret: testSecret, store, maxBodyBytes: 1024 }));
    });
    const conn = rawConnection(Number(new URL(url).port));
    const bodyLength = 256 * 1024;
    const firstAnswer = conn.nextStatus();
    // Well-formed webhook headers, so the request gets past the header check to the size limit.
    const big = signedRequest();
    conn.socket.write(
      `POST /webhooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
        `webhook-id: ${big.headers['webhook-id']}\r\nwebhook-timestamp: ${big.headers['webhook-timestamp']}\r\n` +
        `webhook-signature: ${big.headers['webhook-signature']}\r\ncontent-length: ${bodyLength}\r\n\r\n`,
    );
    // Keep sending after the early answer: the rest of the body must be read, not reset.
    conn.socket.write(Buffer.alloc(bodyLength / 2, 0x20));
    expect(await firstAnswer).toBe(413);
    conn.socket.write(Buffer.alloc(bodyLength / 2, 0x20));

    const req = signedRequest();
    const secondAnswer = conn.nextStatus();
    conn.socket.write(
      `POST /webhooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
        `webhook-id: ${req.headers['webhook-id']}\r\nwebhook-timestamp: ${req.headers['webhook-timestamp']}\r\n` +
        `webhook-signature: ${req.headers['webhook-signature']}\r\ncontent-length: ${req.body.length}\r\n\r\n`,
    );
    conn.socket.write(req.body);
    // Closed instead of drained, the connection would end before this answer.
    expect(await Promise.race([secondAnswer, conn.closed.then((how) => `connection ${how}`)])).toBe(200);
    conn.socket.end();
    expect(await conn.closed).toBe('closed');
  });
});

describe('a store that refuses a delivery', () => {
  async function answerFor(error: StoreError) {
    const { url } = await serve((app, store) => {
      const refusing = Object.assign(Object.create(store) as SqliteStore, {
        insertDelivery: () => Promise.reject(error),
      });
      app.use('/webhooks', createWebhookRouter({ secret: testSecret, store: refusing }));
    });
    const res = await send(`${url}/webhooks`, signedRequest());
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as { error: { code: string; message: string } },
    };
  }

  it('answers a full store queue with 503 store_overloaded and Retry-After', async () => {
    const answer = await answerFor(new StoreError('store_overloaded', 'queue full'));
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('5');
    expect(answer.body.error.code).toBe('store_overloaded');
    expect(answer.body.error.message).toContain('too many deliveries waiting');
  });

  it('answers a delivery the database cannot store with 422 unstorable_delivery, never a 5xx', async () => {
    const answer = await answerFor(
      new StoreError('unstorable_delivery', 'PostgreSQL cannot store this delivery (22021 …)'),
    );
    expect(answer.status).toBe(422);
    expect(answer.retryAfter).toBeNull();
    expect(answer.body.error).toEqual({
      code: 'unstorable_delivery',
      message: 'PostgreSQL cannot store this delivery (22021 …)',
    });
  });
});
