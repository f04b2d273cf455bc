import { eventually, hostileReadApiQueries, listenLocally } from '@webhook-contracts/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { type ListProgressQuery, lessonProgress } from '../readModels/lessonProgress/index.js';
import type { NewDelivery, Store } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { capturingLogger } from '../test-support/capturingLogger.js';
import { createReadApiRouter, maxPageBytes, type ReadApiOptions } from './createReadApiRouter.js';
import { defaultExportPageBytes } from './writeEventExport.js';

const token = 'read-api-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const t0 = Date.UTC(2026, 0, 1);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function delivery(webhookId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    webhookId,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(`{"id":"${webhookId}"}`),
    headers: { 'webhook-id': webhookId },
    errors: null,
    receivedAt: t0,
    ...overrides,
  };
}

async function memoryStore(deliveries: NewDelivery[] = []): Promise<SqliteStore> {
  const store = new SqliteStore({ filename: ':memory:' });
  cleanups.push(() => store.close());
  for (const d of deliveries) await store.insertDelivery(d);
  return store;
}

/** The read API alone in an app, with an open route beside it to show what the guard covers. */
async function serve(options: Partial<ReadApiOptions> & { store: Store }) {
  const app = express();
  app.use(createReadApiRouter({ apiToken: token, ...options }));
  app.get('/open', (_req, res) => {
    res.json({ open: true });
  });
  const server = await listenLocally(app);
  cleanups.push(server.close);
  return server.url;
}

async function get(url: string, headers: Record<string, string> = auth) {
  const res = await fetch(url, { headers });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

const idsOf = (body: Record<string, unknown>) =>
  (body['events'] as { webhook_id: string }[]).map((e) => e.webhook_id);

describe('GET /events', () => {
  it('lists event summaries newest first, with ISO times and nulls where nothing happened yet', async () => {
    const store = await memoryStore([
      delivery('msg_old', { receivedAt: t0 }),
      delivery('msg_new', {
        receivedAt: t0 + 1000,
        status: 'quarantined',
        errors: [{ pointer: '/data', message: 'bad' }],
      }),
    ]);
    const url = await serve({ store });
    const { status, body } = await get(`${url}/events`);
    expect(status).toBe(200);
    const stored = (await store.getEvent('msg_old'))!;
    expect(body).toEqual({
      events: [
        {
          webhook_id: 'msg_new',
          type: 'payment.succeeded',
          status: 'quarantined',
          errors: [{ pointer: '/data', message: 'bad' }],
          error_count: 1,
          errors_truncated: false,
          deliveries_seen: 1,
          received_at: '2026-01-01T00:00:01.000Z',
          processed_at: null,
          attempts: 0,
          last_error: null,
          next_attempt_at: null,
        },
        {
          webhook_id: 'msg_old',
          type: 'payment.succeeded',
          status: 'received',
          errors: null,
          error_count: null,
          errors_truncated: false,
          deliveries_seen: 1,
          received_at: '2026-01-01T00:00:00.000Z',
          processed_at: null,
          attempts: 0,
          last_error: null,
          next_attempt_at:
            stored.nextAttemptAt === null ? null : new Date(stored.nextAttemptAt).toISOString(),
        },
      ],
      next_cursor: null,
    });
  });

  it('pages 50 at a time by default and follows next_cursor to the end', async () => {
    const store = await memoryStore(
      Array.from({ length: 53 }, (_, i) =>
        delivery(`msg_${String(i).padStart(2, '0')}`, { receivedAt: t0 + i }),
      ),
    );
    const url = await serve({ store });
    const first = await get(`${url}/events`);
    expect(idsOf(first.body)).toHaveLength(50);
    expect(idsOf(first.body)[0]).toBe('msg_52');
    const cursor = first.body['next_cursor'];
    expect(typeof cursor).toBe('string');
    const rest = await get(`${url}/events?cursor=${encodeURIComponent(String(cursor))}`);
    expect(rest.body).toMatchObject({ next_cursor: null });
    expect(idsOf(rest.body)).toEqual(['msg_02', 'msg_01', 'msg_00']);

    const two = await get(`${url}/events?limit=2`);
    expect(idsOf(two.body)).toEqual(['msg_52', 'msg_51']);
    expect(idsOf((await get(`${url}/events?limit=1`)).body)).toEqual(['msg_52']);
    expect(idsOf((await get(`${url}/events?limit=500`)).body)).toHaveLength(53);
  });

  it('filters by type and by status, alone or together', async () => {
    const store = await memoryStore([
      delivery('msg_a', { type: 'a.b', receivedAt: t0 + 1 }),
      delivery('msg_b', { type: 'c.d', receivedAt: t0 + 2 }),
      delivery('msg_c', { type: 'a.b', status: 'unhandled', receivedAt: t0 + 3 }),
    ]);
    const url = await serve({ store });
    expect(idsOf((await get(`${url}/events?type=a.b`)).body)).toEqual(['msg_c', 'msg_a']);
    expect(idsOf((await get(`${url}/events?status=received`)).body)).toEqual(['msg_b', 'msg_a']);
    expect(idsOf((await get(`${url}/events?type=a.b&status=unhandled`)).body)).toEqual(['msg_c']);
  });

  it.each([
    ['limit=0', 'invalid_query', 'limit is "0": expected a whole number from 1 to 500'],
    ['limit=501', 'invalid_query', 'limit is "501"'],
    ['limit=ten', 'invalid_query', 'limit is "ten"'],
    ['limit=1.5', 'invalid_query', 'limit is "1.5"'],
    ['limit=-1', 'invalid_query', 'limit is "-1"'],
    ['limit=', 'invalid_query', 'limit is ""'],
    ['limit=5x', 'invalid_query', 'limit is "5x"'],
    ['limit=x5', 'invalid_query', 'limit is "x5"'],
    ['limit=%2B5', 'invalid_query', 'limit is "+5"'],
    ['limit=5%20', 'invalid_query', 'limit is "5 "'],
    ['limit=0x10', 'invalid_query', 'limit is "0x10"'],
    [
      'status=done',
      'invalid_query',
      'status is "done": expected one of received, processed, failed, quarantined, unhandled',
    ],
    ['type=a&type=b', 'invalid_query', 'Give type once, as a plain value'],
    ['cursor=a&cursor=b', 'invalid_query', 'Give cursor once'],
    ['limit=1&limit=2', 'invalid_query', 'Give limit once'],
    ['status=received&status=failed', 'invalid_query', 'Give status once'],
    ['cursor=bogus', 'invalid_cursor', ''],
  ])('answers 400 %s with %s', async (query, code, message) => {
    const url = await serve({ store: await memoryStore([delivery('msg_1')]) });
    const res = await get(`${url}/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message).toContain(message);
  });

  it('quotes at most 64 characters of a bad value back', async () => {
    const url = await serve({ store: await memoryStore() });
    const res = await get(`${url}/events?status=${'s'.repeat(100)}`);
    expect(res.body.error?.message).toBe(
      `status is "${'s'.repeat(64)}": expected one of received, processed, failed, quarantined, unhandled`,
    );
  });
});

describe('GET /events/:id', () => {
  it('shows the event with its headers and its JSON payload spliced in byte for byte', async () => {
    const body = Buffer.from('{ "id" : "msg_1",\n  "n": 1.50 }');
    const store = await memoryStore([delivery('msg_1', { body })]);
    const url = await serve({ store });
    const res = await fetch(`${url}/events/msg_1`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(text.endsWith(`,"payload":${body.toString()}}`)).toBe(true);
    expect(JSON.parse(text)).toMatchObject({
      webhook_id: 'msg_1',
      status: 'received',
      headers: { 'webhook-id': 'msg_1' },
      payload: { id: 'msg_1', n: 1.5 },
    });
  });

  it('shows a body that is not JSON, or not UTF-8, as payload_text', async () => {
    const store = await memoryStore([
      delivery('msg_text', { body: Buffer.from('not json'), type: null, status: 'quarantined' }),
      delivery('msg_bytes', { body: Buffer.from([0x7b, 0xff, 0x7d]), type: null, status: 'quarantined' }),
    ]);
    const url = await serve({ store });
    const text = (await get(`${url}/events/msg_text`)).body;
    expect(text['payload_text']).toBe('not json');
    expect(text).not.toHaveProperty('payload');
    const bytes = (await get(`${url}/events/msg_bytes`)).body;
    expect(bytes['payload_text']).toBe('{\uFFFD}');
    expect(bytes).not.toHaveProperty('payload');
  });

  it('never splices in a body that is JSON only once its invalid UTF-8 is replaced', async () => {
    const store = await memoryStore([
      delivery('msg_1', { body: Buffer.from([0x22, 0xff, 0x22]), type: null, status: 'quarantined' }),
    ]);
    const url = await serve({ store });
    const { body } = await get(`${url}/events/msg_1`);
    expect(body['payload_text']).toBe('"\uFFFD"');
    expect(body).not.toHaveProperty('payload');
  });

  it('answers 404 event_not_found for an unknown id', async () => {
    const url = await serve({ store: await memoryStore() });
    const res = await get(`${url}/events/msg_nope`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'event_not_found', message: 'No event with webhook-id "msg_nope" is stored' },
    });
  });
});

describe('POST /events/:id/replay', () => {
  it('requeues a stored event, wakes the processor and logs it; an unknown id is 404', async () => {
    const store = await memoryStore([delivery('msg_1')]);
    const claimed = await store.claimDue('w', t0 + 10, 60_000, 10);
    await store.settle('msg_1', 'w', { status: 'failed', error: 'boom', nextAttemptAt: null }, t0 + 20);
    expect(claimed).toHaveLength(1);
    const woken: string[] = [];
    const { logger, lines } = capturingLogger();
    const url = await serve({
      store,
      logger,
      now: () => t0 + 5000,
      processor: { wake: () => woken.push('wake') },
    });
    const res = await fetch(`${url}/events/msg_1/replay`, { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'queued', webhook_id: 'msg_1' });
    expect(woken).toEqual(['wake']);
    expect(await store.getEvent('msg_1')).toMatchObject({
      status: 'received',
      attempts: 0,
      nextAttemptAt: t0 + 5000,
    });
    expect(lines).toEqual([{ level: 'info', webhookId: 'msg_1', msg: 'event queued for replay' }]);

    const missing = await fetch(`${url}/events/msg_nope/replay`, { method: 'POST', headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('event_not_found');
    expect(woken).toEqual(['wake']);
  });

  it('replays without a processor to wake', async () => {
    const url = await serve({ store: await memoryStore([delivery('msg_1')]) });
    const res = await fetch(`${url}/events/msg_1/replay`, { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
  });

  it('needs the token like every read API route', async () => {
    const store = await memoryStore([delivery('msg_1')]);
    const url = await serve({ store });
    const res = await fetch(`${url}/events/msg_1/replay`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('GET /progress', () => {
  async function progressStore() {
    const store = await memoryStore([delivery('msg_1', { type: 'course_lesson_interaction.completed' })]);
    await store.claimDue('w', t0 + 10, 60_000, 10);
    const lessonCompletions = [
      { userId: 'user_a', courseId: 'cors_1', lessonId: 'lesn_1', completedAt: t0 + 100 },
      { userId: 'user_a', courseId: 'cors_1', lessonId: 'lesn_2', completedAt: t0 + 200 },
      { userId: 'user_a', courseId: 'cors_2', lessonId: 'lesn_9', completedAt: t0 + 300 },
      { userId: 'user_b', courseId: 'cors_1', lessonId: 'lesn_1', completedAt: t0 + 400 },
    ];
    await store.settle('msg_1', 'w', { status: 'processed', effects: { lessonCompletions } }, t0 + 20);
    return store;
  }
  const pairs = (body: Record<string, unknown>) =>
    (body['progress'] as { user_id: string; course_id: string }[]).map((p) => `${p.user_id}/${p.course_id}`);

  it('lists progress per user and course with lesson ids and the last completion time', async () => {
    const url = await serve({ store: await progressStore() });
    const { status, body } = await get(`${url}/progress?user_id=user_a&course_id=cors_1`);
    expect(status).toBe(200);
    expect(body).toEqual({
      progress: [
        {
          user_id: 'user_a',
          course_id: 'cors_1',
          completed_lessons: 2,
          lesson_ids: ['lesn_1', 'lesn_2'],
          last_completed_at: '2026-01-01T00:00:00.200Z',
        },
      ],
      next_cursor: null,
    });
  });

  it('filters by user or course, ignores empty filters, and pages with limit and cursor', async () => {
    const url = await serve({ store: await progressStore() });
    expect(pairs((await get(`${url}/progress`)).body)).toEqual([
      'user_a/cors_1',
      'user_a/cors_2',
      'user_b/cors_1',
    ]);
    expect(pairs((await get(`${url}/progress?user_id=user_a`)).body)).toEqual([
      'user_a/cors_1',
      'user_a/cors_2',
    ]);
    expect(pairs((await get(`${url}/progress?course_id=cors_1`)).body)).toEqual([
      'user_a/cors_1',
      'user_b/cors_1',
    ]);
    expect(pairs((await get(`${url}/progress?user_id=&course_id=`)).body)).toHaveLength(3);
    const first = await get(`${url}/progress?limit=2`);
    expect(pairs(first.body)).toEqual(['user_a/cors_1', 'user_a/cors_2']);
    const cursor = encodeURIComponent(String(first.body['next_cursor']));
    const rest = await get(`${url}/progress?limit=2&cursor=${cursor}`);
    expect(pairs(rest.body)).toEqual(['user_b/cors_1']);
    expect(rest.body['next_cursor']).toBeNull();
  });

  it.each([
    ['limit=0', 'limit is "0"'],
    ['user_id=a&user_id=b', 'Give user_id once'],
    ['course_id=a&course_id=b', 'Give course_id once'],
    ['cursor=a&cursor=b', 'Give cursor once'],
    ['limit=1&limit=2', 'Give limit once'],
  ])('answers 400 invalid_query to %s', async (query, message) => {
    const url = await serve({ store: await memoryStore() });
    const res = await get(`${url}/progress?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('invalid_query');
    expect(res.body.error?.message).toContain(message);
  });
});

describe('GET /events/export query validation', () => {
  it.each([
    ['since=1969-12-31T23:59:59Z', 'since is "1969-12-31T23:59:59Z"'],
    ['since=x2026-01-01T00:00:00Z', 'since is "x2026'],
    ['since=2026-01-01T00:00:00Zx', 'since is "2026-01-01T00:00:00Zx"'],
    ['since=2026-01-01T00:00:00.1234567890Z', 'since is'],
    ['since=2026-01-01T00:00:00%2B0100', 'since is'],
    ['until=2026-13-01T00:00:00Z', 'until is "2026-13-01T00:00:00Z"'],
    ['until=a&until=b', 'Give until once'],
    ['since=a&since=b', 'Give since once'],
    ['status=a&status=b', 'Give status once'],
    [`status=${'x'.repeat(80)}`, `status is "${'x'.repeat(64)}": expected one of`],
    [
      `status=${Array.from({ length: 101 }, (_, i) => `s${i}`).join(',')}`,
      'status lists 101 values: at most 100',
    ],
  ])('answers 400 invalid_query to %s', async (query, message) => {
    const url = await serve({ store: await memoryStore() });
    const res = await get(`${url}/events/export?${query}`, auth);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('invalid_query');
    expect(res.body.error?.message).toContain(message);
  });

  it('accepts the epoch itself, and quotes at most 64 characters of a bad instant', async () => {
    const url = await serve({ store: await memoryStore([delivery('msg_1')]) });
    const epoch = await fetch(`${url}/events/export?since=1970-01-01T00:00:00Z`, { headers: auth });
    expect(epoch.status).toBe(200);
    expect((await epoch.text()).split('\n').filter((l) => l !== '')).toHaveLength(1);
    const long = await get(`${url}/events/export?until=${'9'.repeat(80)}`);
    expect(long.body.error?.message).toBe(
      `until is "${'9'.repeat(64)}": expected an ISO 8601 date-time with its offset, like 2026-01-31T12:00:00Z`,
    );
  });

  it('accepts fractions, a lower-case z, an offset and an empty window', async () => {
    const store = await memoryStore([delivery('msg_1', { receivedAt: t0 })]);
    const url = await serve({ store });
    const lines = async (query: string) => {
      const res = await fetch(`${url}/events/export?${query}`, { headers: auth });
      expect(res.status, query).toBe(200);
      return (await res.text()).split('\n').filter((l) => l !== '').length;
    };
    // Date.parse keeps milliseconds: nanoseconds past the event's instant still include it.
    expect(await lines('since=2026-01-01T00:00:00.000000001z')).toBe(1);
    expect(await lines('since=2026-01-01T00:00:00.001Z')).toBe(0);
    expect(await lines('since=2026-01-01T00:00:00.000Z&until=2026-01-01T00:00:00.001Z')).toBe(1);
    expect(await lines('since=2026-01-01T00:01Z')).toBe(0);
    expect(await lines('since=2026-01-01T01:00%2B01:00&until=2026-01-01T01:00%2B01:00')).toBe(0);
    expect(await lines('until=2026-01-01T00:00:00.001-00:00')).toBe(1);
  });

  it('counts repeated list values once against the limit of 100', async () => {
    const url = await serve({ store: await memoryStore([delivery('msg_1', { type: 't0' })]) });
    const hundred = Array.from({ length: 100 }, (_, i) => `t${i}`).join(',');
    expect((await fetch(`${url}/events/export?type=${hundred}`, { headers: auth })).status).toBe(200);
    const repeated = Array.from({ length: 150 }, () => 't0').join(',');
    const res = await fetch(`${url}/events/export?type=${repeated},,`, { headers: auth });
    expect(res.status).toBe(200);
    expect((await res.text()).split('\n').filter((l) => l !== '')).toHaveLength(1);
  });
});

describe('the read API guard and failures', () => {
  it('guards /events and /progress but not the routes an app mounts beside it', async () => {
    const url = await serve({ store: await memoryStore() });
    expect((await get(`${url}/open`, {})).body).toEqual({ open: true });
    for (const path of ['/events', '/events/msg_1', '/events/export', '/progress']) {
      expect((await get(`${url}${path}`, {})).status, path).toBe(401);
    }
  });

  it('answers a store that is not answering with 503 store_unavailable and Retry-After, and logs it', async () => {
    const store = await memoryStore();
    const failing = Object.assign(Object.create(store) as SqliteStore, {
      listEvents: () => Promise.reject(new StoreError('store_unavailable', 'connection refused')),
    });
    const { logger, lines } = capturingLogger();
    const url = await serve({ store: failing, logger });
    const res = await get(`${url}/events`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body).toEqual({
      error: { code: 'store_unavailable', message: 'The event store is not answering: retry later' },
    });
    expect(lines).toMatchObject([{ level: 'error', msg: 'read API request failed' }]);
  });

  it('answers an unexpected failure with 500 internal_error and logs it', async () => {
    const store = await memoryStore();
    const failing = Object.assign(Object.create(store) as SqliteStore, {
      getEvent: () => Promise.reject(new TypeError('bug')),
    });
    const { logger, lines } = capturingLogger();
    const url = await serve({ store: failing, logger });
    const res = await get(`${url}/events/msg_1`);
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.body).toEqual({
      error: { code: 'internal_error', message: 'Unexpected error in the receiver; it has been logged' },
    });
    expect(lines).toMatchObject([
      { level: 'error', msg: 'read API request failed', err: { message: 'bug' } },
    ]);
  });

  it('passes the store only the filters a request gives, never one set to undefined', async () => {
    const store = await memoryStore();
    const queries: [string, unknown][] = [];
    const recording = Object.assign(Object.create(store) as SqliteStore, {
      listEvents: (q: Parameters<SqliteStore['listEvents']>[0]) => {
        queries.push(['listEvents', q]);
        return store.listEvents(q);
      },
      exportEvents: (q: Parameters<SqliteStore['exportEvents']>[0]) => {
        queries.push(['exportEvents', q]);
        return store.exportEvents(q);
      },
      reader: () => ({
        listProgress: (q: ListProgressQuery) => {
          queries.push(['listProgress', q]);
          return store.reader(lessonProgress).listProgress(q);
        },
      }),
    });
    const url = await serve({ store: recording, exportPageSize: 7 });
    expect((await get(`${url}/events`)).status).toBe(200);
    expect((await get(`${url}/events?type=a.b&status=failed`)).status).toBe(200);
    expect((await fetch(`${url}/events/export`, { headers: auth })).status).toBe(200);
    const since = '2026-01-01T00:00:00Z';
    const until = '2026-01-02T00:00:00Z';
    const filtered = await fetch(
      `${url}/events/export?type=a.b&status=failed&since=${since}&until=${until}`,
      {
        headers: auth,
      },
    );
    expect(filtered.status).toBe(200);
    expect((await get(`${url}/progress`)).status).toBe(200);
    expect((await get(`${url}/progress?user_id=&course_id=`)).status).toBe(200);
    expect((await get(`${url}/progress?user_id=user_a&course_id=cors_1`)).status).toBe(200);
    const pages = { maxBytes: maxPageBytes, sizeOf: expect.any(Function) };
    expect(queries).toStrictEqual([
      ['listEvents', { limit: 50, budget: pages }],
      ['listEvents', { limit: 50, type: 'a.b', status: 'failed', budget: pages }],
      ['exportEvents', { limit: 7, maxBytes: defaultExportPageBytes }],
      [
        'exportEvents',
        {
          types: ['a.b'],
          statuses: ['failed'],
          since: Date.parse(since),
          until: Date.parse(until),
          limit: 7,
          maxBytes: defaultExportPageBytes,
        },
      ],
      ['listProgress', { limit: 50, budget: pages }],
      ['listProgress', { limit: 50, budget: pages }],
      ['listProgress', { limit: 50, userId: 'user_a', courseId: 'cors_1', budget: pages }],
    ]);
  });

  it('refuses an export page size outside 1 to 1000 when it is built', async () => {
    const store = await memoryStore();
    for (const exportPageSize of [0, 1001, 1.5]) {
      expect(() => createReadApiRouter({ store, apiToken: token, exportPageSize })).toThrow(
        `exportPageSize is ${exportPageSize}: expected 1 to 1000`,
      );
    }
    for (const exportPageSize of [1, 1000]) {
      expect(() => createReadApiRouter({ store, apiToken: token, exportPageSize })).not.toThrow();
    }
  });
});

describe('hostile parameters', () => {
  /** A store that records every call: a refused request must not reach it. */
  async function watchedStore() {
    const store = await memoryStore([delivery('msg_1')]);
    const calls: string[] = [];
    const watched = Object.create(store) as SqliteStore;
    for (const method of ['listEvents', 'exportEvents', 'getEvent', 'requeue'] as const) {
      Object.assign(watched, {
        [method]: (...args: unknown[]) => {
          calls.push(method);
          return (store[method] as (...a: unknown[]) => unknown).apply(store, args);
        },
      });
    }
    Object.assign(watched, {
      reader: () => ({
        listProgress: (query: ListProgressQuery) => {
          calls.push('listProgress');
          return store.reader(lessonProgress).listProgress(query);
        },
      }),
    });
    return { store: watched, calls };
  }

  it.each(hostileReadApiQueries)(
    'answers %s %s with 400 invalid_query naming %s (%s), without asking the store',
    async (method, path, parameter, problem) => {
      const { store, calls } = await watchedStore();
      const { logger, lines } = capturingLogger();
      const url = await serve({ store, logger });
      const res = await fetch(`${url}${path}`, { method, headers: auth });
      const body = (await res.json()) as { error: { code: string; message: string; details: unknown[] } };
      expect(res.status).toBe(400);
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.message).toContain(parameter);
      expect(body.error.details).toEqual([{ parameter, problem }]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(calls).toEqual([]);
      expect(lines).toEqual([]);
    },
  );

  it('still answers 401 before looking at the parameters of a request without the token', async () => {
    const { store, calls } = await watchedStore();
    const url = await serve({ store });
    for (const path of ['/events/%ZZ', '/events?type=a%00', '/progress?user_id=%FF']) {
      const res = await get(`${url}${path}`, {});
      expect(res.status, path).toBe(401);
      expect(res.body.error?.code).toBe('missing_token');
    }
    expect(calls).toEqual([]);
  });

  it('takes an id at the 256-character bound and an id with "+" as it is', async () => {
    const long = 'm'.repeat(256);
    const store = await memoryStore([delivery(long), delivery('msg_a+b')]);
    const url = await serve({ store });
    expect((await get(`${url}/events/${long}`)).body['webhook_id']).toBe(long);
    expect((await get(`${url}/events/msg_a+b`)).body['webhook_id']).toBe('msg_a+b');
    expect((await get(`${url}/events/msg_a%2Bb`)).body['webhook_id']).toBe('msg_a+b');
  });
});

describe('answer headers', () => {
  it('sends Cache-Control: no-store and X-Content-Type-Options: nosniff on every read answer', async () => {
    const store = await memoryStore([delivery('msg_1')]);
    const failing = Object.assign(Object.create(store) as SqliteStore, {
      reader: () => ({
        listProgress: () => Promise.reject(new StoreError('store_unavailable', 'connection refused')),
      }),
    });
    const url = await serve({ store: failing });
    const answers: [string, string, Record<string, string>, number][] = [
      ['GET', '/events', auth, 200],
      ['GET', '/events/msg_1', auth, 200],
      ['GET', '/events/msg_nope', auth, 404],
      ['POST', '/events/msg_1/replay', auth, 202],
      ['GET', '/events/export', auth, 200],
      ['GET', '/events?limit=0', auth, 400],
      ['GET', '/events?cursor=bm9wZQ', auth, 400],
      ['GET', '/progress', auth, 503],
      ['GET', '/events', {}, 401],
      ['GET', '/progress', { authorization: 'Bearer wrong-token-0123456789' }, 401],
    ];
    for (const [method, path, headers, status] of answers) {
      const res = await fetch(`${url}${path}`, { method, headers });
      await res.arrayBuffer();
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
      expect(res.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff');
    }
  });

  it('sends them on the 403 of a read API that is off', async () => {
    const url = await serve({ store: await memoryStore(), apiToken: null });
    const res = await get(`${url}/events`, auth);
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('refused logins', () => {
  it('counts each refusal by reason in webhook_read_api_auth_failures_total and logs it at a bounded rate', async () => {
    const metrics = new ReceiverMetrics();
    const { logger, lines } = capturingLogger();
    const url = await serve({ store: await memoryStore(), metrics, logger });
    const count = async (reason: string) =>
      (await metrics.readApiAuthFailures.get()).values.find((v) => v.labels.reason === reason)?.value;
    expect([await count('missing'), await count('malformed'), await count('wrong')]).toEqual([0, 0, 0]);
    await get(`${url}/events`, {});
    await get(`${url}/progress`, { authorization: `Basic ${token}` });
    await get(`${url}/events/msg_1`, { authorization: `Bearer ${token}x` });
    await get(`${url}/events/export`, { authorization: 'Bearer another-token-0123456789' });
    await get(`${url}/events`, auth);
    expect([await count('missing'), await count('malformed'), await count('wrong')]).toEqual([1, 1, 2]);
    expect(lines.map((l) => [l.level, l.msg, l['reason'], l['method']])).toEqual([
      ['warn', 'read API login refused', 'missing', 'GET'],
      ['warn', 'read API login refused', 'malformed', 'GET'],
      ['warn', 'read API login refused', 'wrong', 'GET'],
      ['warn', 'read API login refused', 'wrong', 'GET'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('another-token');
    expect(JSON.stringify(lines)).not.toContain(token);
    // A client that keeps guessing: every try is counted, only the first 10 of an interval logged.
    for (let i = 0; i < 20; i++)
      await get(`${url}/events`, { authorization: `Bearer guess-${i}-0123456789` });
    expect(await count('wrong')).toBe(22);
    expect(lines.filter((l) => l.msg === 'read API login refused')).toHaveLength(10);
  });

  it('refuses to be built with a token shorter than 16 characters, without quoting it', () => {
    expect(() => createReadApiRouter({ store: {} as Store, apiToken: 'short-token' })).toThrow(
      'the read API token must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
    );
  });
});

describe('bounded pages and exports', () => {
  it('ends a GET /events page before maxPageBytes of JSON, and next_cursor goes on from there', async () => {
    const type = 't'.repeat(2000);
    const store = await memoryStore(
      Array.from({ length: 6 }, (_, i) => delivery(`msg_${i}`, { type, receivedAt: t0 + i })),
    );
    const url = await serve({ store, maxPageBytes: 5000 });
    const seen: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await fetch(`${url}/events?limit=500${query}`, { headers: auth });
      const text = await res.text();
      const body = JSON.parse(text) as { events: { webhook_id: string }[]; next_cursor: string | null };
      // Each summary is about 2.3 KB: two fit in 5000 bytes, a third would not.
      expect(Buffer.byteLength(JSON.stringify(body.events))).toBeLessThanOrEqual(5000);
      seen.push(idsOf(body));
      cursor = body.next_cursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).toEqual([
      ['msg_5', 'msg_4'],
      ['msg_3', 'msg_2'],
      ['msg_1', 'msg_0'],
    ]);
  });

  it('returns an event summary larger than maxPageBytes alone on its page', async () => {
    const store = await memoryStore([
      delivery('msg_small_old', { receivedAt: t0 }),
      delivery('msg_huge', { type: 'h'.repeat(20_000), receivedAt: t0 + 1 }),
      delivery('msg_small_new', { receivedAt: t0 + 2 }),
    ]);
    const url = await serve({ store, maxPageBytes: 5000 });
    const first = await get(`${url}/events`);
    expect(idsOf(first.body)).toEqual(['msg_small_new']);
    const second = await get(`${url}/events?cursor=${first.body['next_cursor'] as string}`);
    expect(idsOf(second.body)).toEqual(['msg_huge']);
    const third = await get(`${url}/events?cursor=${second.body['next_cursor'] as string}`);
    expect(idsOf(third.body)).toEqual(['msg_small_old']);
    expect(third.body['next_cursor']).toBeNull();
  });

  it('answers 429 too_many_exports with Retry-After past maxConcurrentExports, and frees the slot after', async () => {
    const real = await memoryStore([delivery('msg_1')]);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const store = Object.assign(Object.create(real) as SqliteStore, {
      exportEvents: async (q: Parameters<SqliteStore['exportEvents']>[0]) => {
        calls++;
        if (calls === 1) await held;
        return real.exportEvents(q);
      },
    });
    const url = await serve({ store, maxConcurrentExports: 1 });
    const first = fetch(`${url}/events/export`, { headers: auth });
    await eventually('calls === 1', async () => (calls === 1 ? true : undefined));
    const refused = await fetch(`${url}/events/export`, { headers: auth });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({
      error: {
        code: 'too_many_exports',
        message: '1 exports are running (MAX_CONCURRENT_EXPORTS): retry once one has finished',
      },
    });
    release();
    const done = await first;
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('"webhook_id":"msg_1"');
    const again = await fetch(`${url}/events/export`, { headers: auth });
    expect(again.status).toBe(200);
    await again.text();
  });

  it('refuses page and export bounds below 1 when it is built', async () => {
    const store = await memoryStore();
    for (const option of ['maxPageBytes', 'exportPageBytes', 'maxConcurrentExports'] as const) {
      expect(() => createReadApiRouter({ store, apiToken: token, [option]: 0 })).toThrow(
        `${option} is 0: expected a whole number of at least 1`,
      );
    }
  });
});
