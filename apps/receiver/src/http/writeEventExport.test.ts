import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@webhook-contracts/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { ExportEventsQuery, ExportedEvent, NewDelivery, Store } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { capturingLogger } from '../test-support/capturingLogger.js';
import { createReadApiRouter, readApiRoutes } from './createReadApiRouter.js';
import { routeLabeller } from './routeLabeller.js';
import { writeEventExport } from './writeEventExport.js';

const token = 'export-test-token-0123456789';
const t0 = Date.UTC(2026, 0, 1);
const servers: http.Server[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  for (const s of stores.splice(0)) await s.close();
});

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function delivery(webhookId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    webhookId,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(`{"id":"${webhookId}"}`),
    headers: {},
    errors: null,
    receivedAt: t0,
    ...overrides,
  };
}

/** A read API over an in-memory SQLite store holding `deliveries`, paging 2 events at a time. */
async function readApi(deliveries: NewDelivery[], apiToken: string | null = token) {
  const store = new SqliteStore({ filename: ':memory:' });
  stores.push(store);
  await Promise.all(deliveries.map((d) => store.insertDelivery(d)));
  const app = express();
  app.use(createReadApiRouter({ store, apiToken, exportPageSize: 2 }));
  return { store, url: await listen(app) };
}

const auth = { authorization: `Bearer ${token}` };

async function exportLines(url: string) {
  const res = await fetch(url, { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson');
  const text = await res.text();
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, string | null>);
}

describe('GET /events/export', () => {
  it('streams every stored event oldest first as NDJSON, each body byte for byte in base64', async () => {
    const crlf = Buffer.from('{"id":"evt_crlf",\r\n"x":1}\r\n');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0xc3]);
    const { url } = await readApi([
      delivery('msg_3', { receivedAt: t0 + 3000 }),
      delivery('msg_1', { receivedAt: t0 + 1000, body: crlf }),
      delivery('msg_2', { receivedAt: t0 + 2000, body: binary, type: null, status: 'quarantined' }),
      delivery('msg_0', { receivedAt: t0 + 1000 }),
      delivery('msg_4', { receivedAt: t0 + 4000, status: 'unhandled', type: 'x.y' }),
    ]);
    const lines = await exportLines(`${url}/events/export`);
    expect(lines).toEqual([
      {
        webhook_id: 'msg_0',
        type: 'payment.succeeded',
        status: 'received',
        received_at: '2026-01-01T00:00:01.000Z',
        body_base64: Buffer.from('{"id":"msg_0"}').toString('base64'),
      },
      {
        webhook_id: 'msg_1',
        type: 'payment.succeeded',
        status: 'received',
        received_at: '2026-01-01T00:00:01.000Z',
        body_base64: crlf.toString('base64'),
      },
      {
        webhook_id: 'msg_2',
        type: null,
        status: 'quarantined',
        received_at: '2026-01-01T00:00:02.000Z',
        body_base64: binary.toString('base64'),
      },
      {
        webhook_id: 'msg_3',
        type: 'payment.succeeded',
        status: 'received',
        received_at: '2026-01-01T00:00:03.000Z',
        body_base64: Buffer.from('{"id":"msg_3"}').toString('base64'),
      },
      {
        webhook_id: 'msg_4',
        type: 'x.y',
        status: 'unhandled',
        received_at: '2026-01-01T00:00:04.000Z',
        body_base64: Buffer.from('{"id":"msg_4"}').toString('base64'),
      },
    ]);
    expect(Buffer.from(lines[1]!['body_base64']!, 'base64').equals(crlf)).toBe(true);
    expect(Buffer.from(lines[2]!['body_base64']!, 'base64').equals(binary)).toBe(true);
  });

  it('is its own route, not an event id, in the request metrics', () => {
    const label = routeLabeller(Object.values(readApiRoutes));
    expect([label('/events/export'), label('/events/msg_1')]).toEqual(['/events/export', '/events/:id']);
  });

  it('answers an empty export with 200 and no lines', async () => {
    const { url } = await readApi([]);
    const res = await fetch(`${url}/events/export`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
  });

  it('filters by type, status, since (inclusive) and until (exclusive)', async () => {
    const { url } = await readApi(
      Array.from({ length: 9 }, (_, i) =>
        delivery(`msg_${i}`, {
          receivedAt: t0 + i * 60_000,
          type: i % 2 === 0 ? 'payment.succeeded' : 'membership.activated',
          status: i % 3 === 0 ? 'quarantined' : 'received',
        }),
      ),
    );
    const ids = async (query: string) =>
      (await exportLines(`${url}/events/export?${query}`)).map((l) => l['webhook_id']);
    expect(await ids('type=membership.activated')).toEqual(['msg_1', 'msg_3', 'msg_5', 'msg_7']);
    expect(await ids('status=quarantined')).toEqual(['msg_0', 'msg_3', 'msg_6']);
    expect(await ids('type=payment.succeeded&status=quarantined')).toEqual(['msg_0', 'msg_6']);
    // Comma lists: any of the types, any of the statuses.
    expect(await ids('type=membership.activated,x.y&status=quarantined,processed')).toEqual(['msg_3']);
    expect(await ids('status=received,quarantined&type=')).toHaveLength(9);
    expect(await ids('since=2026-01-01T00:02:00Z&until=2026-01-01T00:05:00Z')).toEqual([
      'msg_2',
      'msg_3',
      'msg_4',
    ]);
    // The same instant written with another offset.
    expect(await ids('since=2026-01-01T01:07:00%2B01:00')).toEqual(['msg_7', 'msg_8']);
  });

  it('is behind the read-API token, and off with the rest of the read API', async () => {
    const { url } = await readApi([delivery('msg_1')]);
    const none = await fetch(`${url}/events/export`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('missing_token');
    const wrong = await fetch(`${url}/events/export`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('msg_1');
    const off = await readApi([delivery('msg_1')], null);
    const disabled = await fetch(`${off.url}/events/export`, { headers: auth });
    expect(disabled.status).toBe(403);
    expect(((await disabled.json()) as { error: { code: string } }).error.code).toBe('read_api_disabled');
  });

  it.each([
    ['since=yesterday', 'since is "yesterday": expected an ISO 8601 date-time'],
    ['until=2026-01-01', 'until is "2026-01-01": expected an ISO 8601 date-time'],
    ['since=2026-01-01T00:00:00', 'since is "2026-01-01T00:00:00": expected an ISO 8601 date-time'],
    ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'since is after until'],
    ['status=done', 'status is "done": expected one of received, processed'],
    ['type=a&type=b', 'Give type once'],
    ['status=received,done', 'status is "done"'],
    [
      `type=${Array.from({ length: 101 }, (_, i) => `t${i}`).join(',')}`,
      'type lists 101 values: at most 100',
    ],
  ])('answers 400 invalid_query to %s', async (query, message) => {
    const { url } = await readApi([delivery('msg_1')]);
    const res = await fetch(`${url}/events/export?${query}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.message).toContain(message);
  });

  it('answers 503 with the error shape when the store fails before the first line', async () => {
    const { url, store } = await readApi([delivery('msg_1')]);
    await store.close();
    const res = await fetch(`${url}/events/export`, { headers: auth });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('store_closed');
  });

  it('cuts the connection when the store fails part-way, so a partial export never looks complete', async () => {
    const calls: ExportEventsQuery[] = [];
    const store = {
      exportEvents: async (q: ExportEventsQuery) => {
        calls.push(q);
        if (calls.length > 1) throw new Error('connection lost');
        return [event(0, 't', 100)];
      },
      // The read models' routes are mounted too; this test asks none of them.
      reader: () => ({}),
    } as unknown as Store;
    const { logger, lines } = capturingLogger();
    const app = express();
    app.use(createReadApiRouter({ store, apiToken: token, exportPageSize: 1, logger }));
    const url = await listen(app);
    const res = await fetch(`${url}/events/export`, { headers: auth });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(calls.map((q) => q.after?.webhookId ?? null)).toEqual([null, 'msg_0']);
    expect(lines).toMatchObject([
      {
        level: 'error',
        err: { message: 'connection lost' },
        msg: 'event export failed part-way; the connection is closed',
      },
    ]);
  });
});

function event(i: number, type: string, bodyBytes: number): ExportedEvent {
  return {
    webhookId: `msg_${i}`,
    type,
    status: 'processed',
    receivedAt: t0 + i,
    body: Buffer.alloc(bodyBytes, 0x61),
  };
}

/**
 * An endless store: every page is full, so only the client can end the export. Records each
 * query and whether the client had already gone when it was asked.
 */
function endlessStore(pageSize: number, clientGone: () => boolean) {
  const queries: { after: string | null; afterClientLeft: boolean }[] = [];
  const store = {
    exportEvents: async (q: ExportEventsQuery) => {
      queries.push({ after: q.after?.webhookId ?? null, afterClientLeft: clientGone() });
      const first = q.after === undefined ? 0 : Number(q.after.webhookId.slice(4)) + 1;
      return Array.from({ length: pageSize }, (_, i) => event(first + i, 'payment.succeeded', 16 * 1024));
    },
    // The read models' routes are mounted too; these tests ask none of them.
    reader: () => ({}),
  } as unknown as Store;
  return { store, queries };
}

/**
 * A server whose one route is writeEventExport over `store`; `finished` settles with the export,
 * and `listeners` with the response's 'drain' and 'close' listeners before it and once it settled.
 */
async function exportServer(store: Store, pageSize: number, stallMs = 60_000) {
  let gone = false;
  let finish: (outcome: string) => void = () => {};
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  let counted: (counts: { before: number[]; after: number[] }) => void = () => {};
  const listeners = new Promise<{ before: number[]; after: number[] }>((resolve) => {
    counted = resolve;
  });
  const app = express();
  app.get('/export', (_req, res) => {
    res.on('close', () => {
      gone = true;
    });
    const counts = () => [res.listenerCount('drain'), res.listenerCount('close')];
    const before = counts();
    writeEventExport(res, store, {}, { pageSize, pageBytes: 1024 * 1024, stallMs, logger: silentLogger() })
      .finally(() => counted({ before, after: counts() }))
      .then(
        () => finish('resolved'),
        (error: unknown) => finish(`rejected: ${String(error)}`),
      );
  });
  return { url: await listen(app), finished, listeners, clientGone: () => gone };
}

describe('writeEventExport', () => {
  it('disconnects a read API client that stops reading for the configured stall time, and logs it', async () => {
    const { store } = endlessStore(4, () => false);
    const { logger, lines } = capturingLogger();
    const app = express();
    app.use(createReadApiRouter({ store, apiToken: token, exportPageSize: 4, exportStallMs: 100, logger }));
    const url = await listen(app);
    let paused: http.IncomingMessage | undefined;
    const complete = new Promise<boolean>((resolve, reject) => {
      http
        .get(`${url}/events/export`, { headers: auth }, (res) => {
          paused = res;
          res.pause();
          res.on('close', () => resolve(res.complete));
        })
        .on('error', reject);
    });
    await eventually('lines.length > 0', async () => (lines.length > 0 ? true : undefined), 20_000);
    // The client reads what was in flight and finds the response cut short.
    paused?.resume();
    expect(await complete).toBe(false);
    expect(lines).toEqual([
      { level: 'warn', stallMs: 100, msg: 'event export client stopped reading; disconnecting it' },
    ]);
  });

  it('stops querying the store once the client disconnects, with reads bounded by back-pressure', async () => {
    let gone = () => false;
    const { store, queries } = endlessStore(4, () => gone());
    const server = await exportServer(store, 4);
    gone = server.clientGone;
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get(`${server.url}/export`, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            // Leave after ~1 MiB: an endless export only ends this way.
            if (bytes > 1024 * 1024) {
              res.destroy();
              resolve(bytes);
            }
          });
        })
        .on('error', reject);
    });
    expect(received).toBeGreaterThan(1024 * 1024);
    expect(await server.finished).toBe('resolved');
    expect(queries.filter((q) => q.afterClientLeft)).toEqual([]);
    // ~22 KiB per line, 4 per page: what the client read plus what the socket buffers held (a
    // few MiB at most), not the endless stream a loop without back-pressure would read.
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.length).toBeLessThan(1000);
    // Each page starts after the last event of the one before.
    expect(queries.slice(0, 3).map((q) => q.after)).toEqual([null, 'msg_3', 'msg_7']);
    // Each wait for the socket took its listeners off again: they would pile up over a long export.
    const { before, after } = await server.listeners;
    expect(after).toEqual(before);
  });

  it('asks for the page after a short one (the byte bound may have ended it) and stops at an empty one', async () => {
    const queries: (string | null)[] = [];
    const store = {
      exportEvents: async (q: ExportEventsQuery) => {
        queries.push(q.after?.webhookId ?? null);
        if (q.after === undefined) return [event(0, 't', 10), event(1, 't', 10)];
        return q.after.webhookId === 'msg_1' ? [event(2, 't', 10)] : [];
      },
    } as unknown as Store;
    const server = await exportServer(store, 2);
    const res = await fetch(`${server.url}/export`);
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { webhook_id: string }).webhook_id)).toEqual([
      'msg_0',
      'msg_1',
      'msg_2',
    ]);
    expect(await server.finished).toBe('resolved');
    expect(queries).toEqual([null, 'msg_1', 'msg_2']);
    const { before, after } = await server.listeners;
    expect(after).toEqual(before);
  });

  it('disconnects a client that stops reading for the stall time', async () => {
    let gone = () => false;
    const { store, queries } = endlessStore(4, () => gone());
    const server = await exportServer(store, 4, 200);
    gone = server.clientGone;
    let paused: http.IncomingMessage | undefined;
    const closed = new Promise<boolean>((resolve, reject) => {
      const req = http.get(`${server.url}/export`, (res) => {
        paused = res;
        res.pause();
        res.on('close', () => resolve(res.complete));
      });
      req.on('error', reject);
    });
    expect(await server.finished).toBe('resolved');
    // The client reads what was in flight and finds the response cut short.
    paused?.resume();
    expect(await closed).toBe(false);
    expect(queries.filter((q) => q.afterClientLeft)).toEqual([]);
    expect(queries.length).toBeLessThan(1000);
  });
});
