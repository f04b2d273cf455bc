import * as http from 'node:http';
import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { eventually } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { lessonProgress } from './readModels/lessonProgress/index.js';
import { lessonProgressHandler } from './readModels/lessonProgress/lessonProgressHandler.js';
import { allProgress } from './readModels/lessonProgress/test-support/allProgress.js';
import type { NewDelivery } from './store/core/Store.js';
import { SqliteStore } from './store/sqlite/SqliteStore.js';
import { completedEvent, otherSecret, send, signedRequest } from './test-support/signedRequest.js';
import { authed, type RunningReceiver, startReceiver } from './test-support/startReceiver.js';

const running: RunningReceiver[] = [];
async function start(options: Parameters<typeof startReceiver>[0] = {}) {
  const r = await startReceiver(options);
  running.push(r);
  return r;
}
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function countingHandlers() {
  const calls: string[] = [];
  return {
    calls,
    handlers: {
      'course_lesson_interaction.completed': (event: CourseLessonInteractionCompleted) => {
        calls.push(event.id);
        return { lessonCompletions: lessonProgressHandler(event) };
      },
    },
  };
}

async function getJson(url: string, headers: Record<string, string> = authed()) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function statusOf(r: RunningReceiver, id: string) {
  return (await r.store.getEvent(id))?.status;
}

describe('POST /webhooks', () => {
  it('accepts a new signed event with 200, stores it and processes it into lesson progress', async () => {
    const r = await start();
    const req = signedRequest({
      payload: completedEvent({ userId: 'user_1', courseId: 'cors_1', lessonId: 'lesn_1' }),
    });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', webhook_id: req.id });

    const stored = await r.store.getEvent(req.id);
    expect(Buffer.compare(stored!.body, req.body)).toBe(0);
    expect(stored!.type).toBe('course_lesson_interaction.completed');
    expect(stored!.headers['webhook-id']).toBe(req.id);
    expect(stored!.headers['webhook-signature']).toBeUndefined();

    await eventually('statusOf(r, req.id) === "processed"', async () =>
      (await statusOf(r, req.id)) === 'processed' ? true : undefined,
    );
    const progress = await getJson(`${r.url}/progress?user_id=user_1`);
    expect(progress.body).toEqual({
      progress: [
        {
          user_id: 'user_1',
          course_id: 'cors_1',
          completed_lessons: 1,
          lesson_ids: ['lesn_1'],
          last_completed_at: '2023-12-01T05:00:00.401Z',
        },
      ],
      next_cursor: null,
    });
  });

  it('answers a repeated webhook-id with 200 duplicate and does not process it again', async () => {
    const { calls, handlers } = countingHandlers();
    const r = await start({ handlers });
    const req = signedRequest();
    expect((await send(`${r.url}/webhooks`, req)).status).toBe(200);
    await eventually('statusOf(r, req.id) === "processed"', async () =>
      (await statusOf(r, req.id)) === 'processed' ? true : undefined,
    );
    // A retry from the sender: same id, fresh timestamp and signature.
    const retry = signedRequest({ id: req.id, payload: req.body });
    const res = await send(`${r.url}/webhooks`, retry);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'duplicate', webhook_id: req.id, deliveries_seen: 2 });
    expect((await r.store.getEvent(req.id))!.deliveriesSeen).toBe(2);
    expect(calls).toHaveLength(1);
  });

  it('stores one row for 50 parallel sends of one id, counts 50 deliveries and processes it once', async () => {
    const { calls, handlers } = countingHandlers();
    const r = await start({ handlers });
    const base = signedRequest();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await send(`${r.url}/webhooks`, signedRequest({ id: base.id, payload: base.body }));
        return { status: res.status, body: (await res.json()) as { status: string } };
      }),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.status === 'accepted')).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === 'duplicate')).toHaveLength(49);
    const page = await r.store.listEvents({ limit: 100 });
    expect(page.events).toHaveLength(1);
    expect(page.events[0]!.deliveriesSeen).toBe(50);
    await eventually('statusOf(r, base.id) === "processed"', async () =>
      (await statusOf(r, base.id)) === 'processed' ? true : undefined,
    );
    expect(calls).toHaveLength(1);
  });

  describe('answers 401 with the verification code and stores nothing', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => { headers: Record<string, string>; body: Buffer }][] = [
      [
        'missing_header',
        () => {
          const { 'webhook-id': _, ...headers } = signedRequest().headers;
          return { headers, body: signedRequest().body };
        },
      ],
      [
        'invalid_timestamp',
        () => {
          const req = signedRequest();
          return { headers: { ...req.headers, 'webhook-timestamp': 'yesterday' }, body: req.body };
        },
      ],
      ['timestamp_too_old', () => signedRequest({ timestamp: now() - 301 })],
      ['timestamp_too_new', () => signedRequest({ timestamp: now() + 301 })],
      [
        'invalid_signature_header',
        () => {
          const req = signedRequest();
          return { headers: { ...req.headers, 'webhook-signature': 'sha256=abc' }, body: req.body };
        },
      ],
      ['no_matching_signature', () => signedRequest({ secret: otherSecret })],
      [
        'no_matching_signature',
        () => {
          const req = signedRequest();
          return { headers: req.headers, body: Buffer.concat([req.body, Buffer.from(' ')]) };
        },
      ],
    ];
    for (const [code, build] of cases) {
      it(`answers ${code}`, async () => {
        const r = await start();
        const { headers, body } = build();
        const res = await fetch(`${r.url}/webhooks`, { method: 'POST', headers, body });
        expect(res.status).toBe(401);
        const json = (await res.json()) as { error: { code: string; message: string } };
        expect(json.error.code).toBe(code);
        expect(json.error.message.length).toBeGreaterThan(10);
        expect((await r.store.listEvents({ limit: 10 })).events).toEqual([]);
      });
    }
  });

  it('answers 413 for a declared body over the limit without storing it', async () => {
    const r = await start({ maxBodyBytes: 1024 });
    const req = signedRequest({ payload: { ...completedEvent(), padding: 'x'.repeat(2000) } });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect((await r.store.listEvents({ limit: 10 })).events).toEqual([]);
  });

  it('answers 413 for a chunked body that grows past the limit, and keeps serving', async () => {
    const r = await start({ maxBodyBytes: 1024 });
    const { port } = new URL(r.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/webhooks', method: 'POST', headers: signedRequest().headers },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('x'.repeat(800));
      req.write('y'.repeat(800));
      // Never end the body: the receiver must answer without waiting for the rest.
    });
    expect(status).toBe(413);
    expect((await send(`${r.url}/webhooks`, signedRequest())).status).toBe(200);
  });

  it('keeps an off-contract event as quarantined with its errors and answers 200 (quarantine mode)', async () => {
    const r = await start();
    const event = completedEvent();
    (event['data'] as { user: Record<string, unknown> }).user['username'] = 42;
    const req = signedRequest({ payload: event });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; errors: unknown };
    expect(body.status).toBe('quarantined');
    expect(body.errors).toContainEqual({ pointer: '/data/user/username', message: 'must be string' });
    const stored = await r.store.getEvent(req.id);
    expect(stored).toMatchObject({ status: 'quarantined', type: 'course_lesson_interaction.completed' });
    expect(stored!.errors).toContainEqual({ pointer: '/data/user/username', message: 'must be string' });
  });

  it('quarantines a signed body that is not JSON', async () => {
    const r = await start();
    const req = signedRequest({ payload: 'not json at all' });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('quarantined');
    const { body } = await getJson(`${r.url}/events/${req.id}`);
    expect(body).toMatchObject({ status: 'quarantined', type: null, payload_text: 'not json at all' });
  });

  it('answers 422 with field errors and stores nothing in strict mode', async () => {
    const r = await start({ contractMode: 'strict' });
    const event = completedEvent();
    delete (event['data'] as Record<string, unknown>)['lesson'];
    const req = signedRequest({ payload: event });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: unknown[] } };
    expect(body.error.code).toBe('contract_violation');
    expect(body.error.details).toContainEqual({ pointer: '/data/lesson', message: 'is required' });
    expect(await r.store.getEvent(req.id)).toBeNull();
    // A valid event is still accepted in strict mode.
    expect((await send(`${r.url}/webhooks`, signedRequest())).status).toBe(200);
  });

  it('keeps a correctly signed event of an unknown type as unhandled and answers 200', async () => {
    const r = await start();
    const req = signedRequest({
      payload: {
        id: 'msg_1',
        api_version: 'v1',
        timestamp: '2025-01-01T00:00:00.000Z',
        type: 'payout.created',
        data: {},
      },
    });
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'unhandled', webhook_id: req.id });
    expect(await r.store.getEvent(req.id)).toMatchObject({ status: 'unhandled', type: 'payout.created' });
  });

  it('verifies oddly formatted JSON and non-ASCII text byte for byte', async () => {
    const r = await start();
    const event = completedEvent();
    const data = event['data'] as Record<string, unknown>;
    // Hand-written JSON: odd spacing, a \u00e9 escape (kept as 6 ASCII bytes), raw UTF-8, and key order
    // different from what JSON.stringify would produce.
    const lesson = '{"chapter" : {"id":"chap_1"},  "title":"Caf\\u00e9 ✓ 日本語 🎓", "id":"lesn_1"}';
    const rest = JSON.stringify({ ...data, lesson: undefined }, null, 3).replace(/^\{/, '');
    const odd =
      '{ "data" :{"lesson":' +
      lesson +
      ',' +
      rest +
      ',\n\t"type":"course_lesson_interaction.completed", "api_version" : "v1", "id":"msg_odd",' +
      ' "timestamp":"2025-01-01T00:00:00.000Z"   }\n';
    expect(odd).toContain('Caf\\u00e9');
    const req = signedRequest({ payload: odd });
    const res = await send(`${r.url}/webhooks`, req, { 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('accepted');
    const stored = await r.store.getEvent(req.id);
    expect(stored!.body.toString('utf8')).toBe(odd);
    const record = await fetch(`${r.url}/events/${req.id}`, { headers: authed() });
    const text = await record.text();
    expect(text).toContain(`"payload":${odd}`);
    expect(
      (JSON.parse(text) as { payload: { data: { lesson: { title: string } } } }).payload.data.lesson.title,
    ).toBe('Café ✓ 日本語 🎓');
  });

  it('answers 503 with Retry-After when the store cannot take the write', async () => {
    class BrokenStore extends SqliteStore {
      override insertDelivery(_d: NewDelivery): never {
        throw new StoreError('store_unavailable', 'disk full');
      }
    }
    const r = await start();
    const broken = new BrokenStore({ filename: ':memory:' });
    const { createReceiver } = await import('./createReceiver.js');
    const app = createReceiver({
      store: broken,
      secret: (await import('./test-support/signedRequest.js')).testSecret,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const res = await send(`http://127.0.0.1:${port}/webhooks`, signedRequest());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
    } finally {
      server.close();
      await app.close();
      await broken.close();
      expect(r.url).toMatch(/^http/);
    }
  });

  it('never answers 5xx for malformed requests, and survives a client that aborts mid-body', async () => {
    const r = await start();
    const odd = [
      { headers: { 'webhook-id': '', 'webhook-timestamp': '', 'webhook-signature': '' }, body: '' },
      { headers: { 'webhook-id': 'x', 'webhook-timestamp': '-1', 'webhook-signature': 'v1,' }, body: '{' },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' },
    ];
    for (const o of odd) {
      const res = await fetch(`${r.url}/webhooks`, { method: 'POST', headers: o.headers, body: o.body });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    const { port } = new URL(r.url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/webhooks',
        method: 'POST',
        headers: { ...signedRequest().headers, 'content-length': '5000' },
      });
      req.on('error', () => resolve());
      req.write('{"partial":', () => {
        req.destroy();
        resolve();
      });
    });
    expect((await send(`${r.url}/webhooks`, signedRequest())).status).toBe(200);
    expect((await fetch(`${r.url}/webhooks`)).status).toBe(405);
  });
});

describe('processing', () => {
  it('processes events left as received by a previous run when a new receiver opens the file', async () => {
    const first = await start();
    await first.stop({ keepFiles: true });
    running.splice(running.indexOf(first), 1);
    const store = new SqliteStore({ filename: first.filename });
    const ids = ['msg_r1', 'msg_r2', 'msg_r3'];
    for (const [i, id] of ids.entries()) {
      const req = signedRequest({ id, payload: completedEvent({ userId: 'user_r', lessonId: `lesn_${i}` }) });
      await store.insertDelivery({
        webhookId: id,
        type: 'course_lesson_interaction.completed',
        status: 'received',
        body: req.body,
        headers: {},
        errors: null,
        receivedAt: Date.now(),
      });
    }
    // A claim by an instance that then died: its events must still be processed after the restart.
    await store.claimDue('dead-instance', Date.now(), 50, 1);
    await store.close();

    const second = await start({ dir: first.dir });
    await eventually('every event processed by the second receiver', async () => {
      const statuses = await Promise.all(ids.map((id) => statusOf(second, id)));
      return statuses.every((s) => s === 'processed') ? true : undefined;
    });
    const progress = await allProgress(second.store.reader(lessonProgress), { userId: 'user_r' });
    expect(progress[0]!.lessonIds.sort()).toEqual(['lesn_0', 'lesn_1', 'lesn_2']);
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    let calls = 0;
    const r = await start({
      handlers: {
        'course_lesson_interaction.completed': (event) => {
          calls++;
          if (calls < 3) throw new Error(`downstream unavailable (call ${calls})`);
          return { lessonCompletions: lessonProgressHandler(event) };
        },
      },
    });
    const req = signedRequest();
    await send(`${r.url}/webhooks`, req);
    const event = await eventually('the event processed', async () => {
      const e = await r.store.getEvent(req.id);
      return e?.status === 'processed' ? e : undefined;
    });
    expect(calls).toBe(3);
    expect(event.attempts).toBe(3);
  });

  it('leaves an event failed with its last error after the maximum attempts', async () => {
    const r = await start({
      handlers: {
        'course_lesson_interaction.completed': () => {
          throw new Error('handler broke');
        },
      },
      processing: { maxAttempts: 3, retryBaseMs: 5 },
    });
    const req = signedRequest();
    await send(`${r.url}/webhooks`, req);
    const event = await eventually('the event failed for good', async () => {
      const e = await r.store.getEvent(req.id);
      return e?.status === 'failed' && e.nextAttemptAt === null ? e : undefined;
    });
    expect(event).toMatchObject({ attempts: 3, lastError: 'handler broke', processedAt: null });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_processing_failures_total 3$/m);
  });

  it('replays an event: 202, then it is processed again; unknown ids answer 404', async () => {
    const { calls, handlers } = countingHandlers();
    const r = await start({ handlers });
    const req = signedRequest();
    await send(`${r.url}/webhooks`, req);
    await eventually('statusOf(r, req.id) === "processed"', async () =>
      (await statusOf(r, req.id)) === 'processed' ? true : undefined,
    );
    const res = await fetch(`${r.url}/events/${req.id}/replay`, { method: 'POST', headers: authed() });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'queued', webhook_id: req.id });
    await eventually('calls.length === 2', async () => (calls.length === 2 ? true : undefined));
    await eventually('statusOf(r, req.id) === "processed"', async () =>
      (await statusOf(r, req.id)) === 'processed' ? true : undefined,
    );
    const missing = await fetch(`${r.url}/events/msg_nope/replay`, { method: 'POST', headers: authed() });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('event_not_found');
  });

  it('derives the same progress whatever order (and how often) completions arrive', async () => {
    const events = [
      completedEvent({
        userId: 'user_s',
        courseId: 'cors_s',
        lessonId: 'lesn_a',
        createdAt: '2024-01-01T00:00:00.000Z',
      }),
      completedEvent({
        userId: 'user_s',
        courseId: 'cors_s',
        lessonId: 'lesn_b',
        createdAt: '2024-01-02T00:00:00.000Z',
      }),
      completedEvent({
        userId: 'user_s',
        courseId: 'cors_s',
        lessonId: 'lesn_a',
        createdAt: '2024-01-03T00:00:00.000Z',
      }),
      completedEvent({
        userId: 'user_s',
        courseId: 'cors_s',
        lessonId: 'lesn_c',
        createdAt: '2024-01-04T00:00:00.000Z',
      }),
      completedEvent({ userId: 'user_s', courseId: 'cors_s', lessonId: 'lesn_d', completed: false }),
    ];
    const orders = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 4, 0, 3, 1, 1, 2],
    ];
    const results: unknown[] = [];
    for (const order of orders) {
      const r = await start();
      const ids: string[] = [];
      for (const i of order) {
        const req = signedRequest({ id: `msg_evt_${i}`, payload: events[i] });
        await send(`${r.url}/webhooks`, req);
        ids.push(req.id);
      }
      await eventually('every event processed', async () => {
        const statuses = await Promise.all(ids.map((id) => statusOf(r, id)));
        return statuses.every((s) => s === 'processed') ? true : undefined;
      });
      results.push((await getJson(`${r.url}/progress?user_id=user_s&course_id=cors_s`)).body);
    }
    expect(results[0]).toEqual({
      progress: [
        {
          user_id: 'user_s',
          course_id: 'cors_s',
          completed_lessons: 3,
          lesson_ids: ['lesn_a', 'lesn_b', 'lesn_c'],
          last_completed_at: '2024-01-04T00:00:00.000Z',
        },
      ],
      next_cursor: null,
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('GET /healthz', () => {
  it('answers 503 naming the store check within its time limit when the store hangs, and 200 once it answers', async () => {
    const r = await start({ healthTimeoutMs: 200 });
    const ping = r.store.ping.bind(r.store);
    let release: (() => void) | undefined;
    let pings = 0;
    r.store.ping = () => {
      pings++;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => getJson(`${r.url}/healthz`, {})));
    const elapsed = performance.now() - started;
    expect(answers).toEqual(
      Array.from({ length: 5 }, () => ({
        status: 503,
        body: {
          error: {
            code: 'store_unavailable',
            message: expect.stringMatching(
              /^The event store has not answered the health check for \d+ ms \(limit 200 ms\)$/,
            ),
            details: [{ check: 'store', failure: 'timeout' }],
          },
        },
      })),
    );
    // The configured limit, not the 2 s default; and one store call for all five.
    expect(elapsed).toBeLessThan(1500);
    expect(pings).toBe(1);
    release?.();
    r.store.ping = ping;
    await eventually('GET /healthz answers 200', async () =>
      (await getJson(`${r.url}/healthz`, {})).status === 200 ? true : undefined,
    );
    expect(await getJson(`${r.url}/healthz`, {})).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('read API', () => {
  it('answers 401 without a token or with a wrong one, and 200 with the right one', async () => {
    const r = await start();
    const none = await getJson(`${r.url}/events`, {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: { code: 'missing_token' } });
    const wrong = await getJson(`${r.url}/events`, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_token' } });
    const right = await getJson(`${r.url}/events`);
    expect(right).toEqual({ status: 200, body: { events: [], next_cursor: null } });
    expect((await getJson(`${r.url}/progress`, { authorization: 'Basic abc' })).status).toBe(401);
  });

  it('is off with 403 read_api_disabled when no token is configured; health and metrics stay open', async () => {
    const r = await start({ apiToken: null });
    for (const path of ['/events', '/events/msg_1', '/progress']) {
      const res = await getJson(`${r.url}${path}`);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'read_api_disabled' } });
    }
    expect(await getJson(`${r.url}/healthz`, {})).toEqual({ status: 200, body: { status: 'ok' } });
    const metrics = await fetch(`${r.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE webhook_deliveries_total counter');
  });

  it('pages through events with next_cursor and filters by type and status', async () => {
    const r = await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const req = signedRequest({ id: `msg_page_${i}` });
      await send(`${r.url}/webhooks`, req);
      ids.push(req.id);
    }
    await send(
      `${r.url}/webhooks`,
      signedRequest({
        id: 'msg_page_other',
        payload: {
          id: 'x',
          api_version: 'v1',
          timestamp: '2025-01-01T00:00:00.000Z',
          type: 'payout.created',
          data: {},
        },
      }),
    );
    const seen: string[] = [];
    let url = `${r.url}/events?limit=2`;
    for (;;) {
      const page = await getJson(url);
      expect(page.status).toBe(200);
      const events = page.body['events'] as { webhook_id: string }[];
      expect(events.length).toBeLessThanOrEqual(2);
      seen.push(...events.map((e) => e.webhook_id));
      const next = page.body['next_cursor'] as string | null;
      if (next === null) break;
      url = `${r.url}/events?limit=2&cursor=${encodeURIComponent(next)}`;
    }
    expect(seen).toEqual(['msg_page_other', ...ids.slice().reverse()]);
    const unhandled = await getJson(`${r.url}/events?status=unhandled`);
    expect((unhandled.body['events'] as { webhook_id: string }[]).map((e) => e.webhook_id)).toEqual([
      'msg_page_other',
    ]);
    const byType = await getJson(`${r.url}/events?type=course_lesson_interaction.completed&limit=500`);
    expect(byType.body['events']).toHaveLength(5);

    for (const bad of ['limit=0', 'limit=501', 'limit=ten', 'status=done', 'cursor=bogus']) {
      const res = await getJson(`${r.url}/events?${bad}`);
      expect(res.status).toBe(400);
      expect((res.body['error'] as { code: string }).code).toMatch(/^invalid_(query|cursor)$/);
    }
  });

  it('shows one event with its payload, status and counters, and 404 for an unknown id', async () => {
    const r = await start();
    const req = signedRequest();
    await send(`${r.url}/webhooks`, req);
    await eventually('statusOf(r, req.id) === "processed"', async () =>
      (await statusOf(r, req.id)) === 'processed' ? true : undefined,
    );
    const { status, body } = await getJson(`${r.url}/events/${req.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      webhook_id: req.id,
      type: 'course_lesson_interaction.completed',
      status: 'processed',
      errors: null,
      deliveries_seen: 1,
      attempts: 1,
      last_error: null,
      payload: JSON.parse(req.body.toString()),
    });
    expect(typeof body['received_at']).toBe('string');
    expect(typeof body['processed_at']).toBe('string');
    expect(body['headers']).not.toHaveProperty('webhook-signature');
    const missing = await getJson(`${r.url}/events/msg_unknown`);
    expect(missing.status).toBe(404);
  });

  it('counts refused read API logins by reason in /metrics', async () => {
    const r = await start();
    await getJson(`${r.url}/events`, {});
    await getJson(`${r.url}/events`, { authorization: 'Bearer not-the-token-0123456789' });
    await getJson(`${r.url}/progress`, { authorization: 'Bearer not-the-token-0123456789' });
    const text = await (await fetch(`${r.url}/metrics`)).text();
    expect(text).toMatch(/^webhook_read_api_auth_failures_total\{reason="missing"\} 1$/m);
    expect(text).toMatch(/^webhook_read_api_auth_failures_total\{reason="malformed"\} 0$/m);
    expect(text).toMatch(/^webhook_read_api_auth_failures_total\{reason="wrong"\} 2$/m);
  });

  it('sends Cache-Control: no-store and X-Content-Type-Options: nosniff on every answer, not only the read API', async () => {
    const r = await start();
    const req = signedRequest();
    const answers = [
      await send(`${r.url}/webhooks`, req),
      await send(`${r.url}/webhooks`, signedRequest({ secret: otherSecret })),
      await fetch(`${r.url}/webhooks`),
      await fetch(`${r.url}/healthz`),
      await fetch(`${r.url}/metrics`),
      await fetch(`${r.url}/nowhere`),
      await fetch(`${r.url}/events/%ZZ`, { headers: authed() }),
      await fetch(`${r.url}/events/${req.id}`, { headers: authed() }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 405, 200, 200, 404, 400, 200]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control'), answer.url).toBe('no-store');
      expect(answer.headers.get('x-content-type-options'), answer.url).toBe('nosniff');
    }
  });

  it('counts deliveries by outcome in /metrics', async () => {
    const r = await start();
    const req = signedRequest();
    await send(`${r.url}/webhooks`, req);
    await send(`${r.url}/webhooks`, signedRequest({ id: req.id, payload: req.body }));
    await send(`${r.url}/webhooks`, signedRequest({ secret: otherSecret }));
    const text = await (await fetch(`${r.url}/metrics`)).text();
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="duplicate"\} 1$/m);
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="rejected_signature"\} 1$/m);
    // One insert transaction per stored delivery when they arrive one after the other.
    expect(text).toMatch(/^webhook_store_insert_commits_total 2$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="POST",route="\/webhooks",status="200"\} 2$/m,
    );
  });
});
