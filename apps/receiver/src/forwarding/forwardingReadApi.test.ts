// Forwarding as the read API and /healthz show it, on a receiver whose one destination refuses
// everything (FORWARD_MAX_ATTEMPTS 1): dead letters listed, re-forwarded, and each event's state.

import { eventually, type LocalServer, listenLocally } from '@webhook-contracts/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../createReceiver.js';
import { createReadApiRouter } from '../http/createReadApiRouter.js';
import type { NewDelivery } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import type { Destination, PublishResult } from './Destination.js';

const token = 'forwarding-read-api-token';
const t0 = Date.UTC(2026, 0, 1);

class RefusingDestination implements Destination {
  readonly name = 'http';
  readonly types = null;
  readonly concurrency = 4;
  answer: PublishResult = { ok: false, error: 'HTTP 500 from the endpoint' };
  async connect(): Promise<void> {}
  async publish(): Promise<PublishResult> {
    return this.answer;
  }
  async close(): Promise<void> {}
}

function delivery(webhookId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    webhookId,
    type: 'payment.succeeded',
    status: 'unhandled',
    body: Buffer.from(`{"id":"${webhookId}","type":"payment.succeeded"}`),
    headers: {},
    errors: null,
    receivedAt: t0,
    ...overrides,
  };
}

describe('forwarding in the read API', () => {
  let store: SqliteStore | undefined;
  let receiver: Receiver | undefined;
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    await receiver?.close();
    await store?.close();
  });

  async function start(): Promise<{ url: string; destination: RefusingDestination }> {
    const destination = new RefusingDestination();
    store = new SqliteStore({ filename: ':memory:', outboxRoutes: [{ destination: 'http', types: null }] });
    receiver = createReceiver({
      store,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      apiToken: token,
      forwarding: { destinations: [destination], maxAttempts: 1, idleMs: 10 },
    });
    server = await listenLocally(receiver);
    return { url: server.url, destination };
  }

  const call = async (url: string, method = 'GET') => {
    const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** The answer once `done` holds for it (forwarding runs in the background). */
  const until = <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean) =>
    eventually(
      what,
      async () => {
        const v = await read();
        return done(v) ? v : undefined;
      },
      5000,
    );

  it("shows each destination's state, lists dead letters and forwards them again", async () => {
    const { url, destination } = await start();
    await store!.insertDelivery(delivery('msg_a'));
    await store!.insertDelivery(delivery('msg_b'));
    const page = await until(
      'two dead letters, paged one at a time',
      () => call(`${url}/forwarding/dead-letters?limit=1`),
      (r) => (r.body.dead_letters as unknown[]).length === 1 && r.body.next_cursor !== null,
    );
    expect(page.body.dead_letters).toEqual([
      {
        webhook_id: 'msg_a',
        destination: 'http',
        type: 'payment.succeeded',
        attempts: 1,
        last_error: 'HTTP 500 from the endpoint',
        received_at: new Date(t0).toISOString(),
      },
    ]);
    expect([page.body.matching, page.body.matching_capped]).toEqual([2, false]);
    const next = await until(
      'the second page of dead letters',
      () => call(`${url}/forwarding/dead-letters?limit=1&cursor=${page.body.next_cursor as string}`),
      (r) => (r.body.dead_letters as unknown[]).length === 1,
    );
    expect(next.body).toMatchObject({ dead_letters: [{ webhook_id: 'msg_b' }], next_cursor: null });
    const summary = await call(`${url}/forwarding`);
    expect(summary.body).toEqual({
      enabled: true,
      destinations: [
        {
          destination: 'http',
          up: false,
          error: 'HTTP 500 from the endpoint',
          pending: 0,
          pending_capped: false,
          oldest_pending_at: null,
          oldest_pending_age_seconds: null,
          dead: 2,
          dead_capped: false,
          forwarded: 0,
          failed: 2,
          dead_lettered: 2,
        },
      ],
    });
    const event = await call(`${url}/events/msg_a`);
    expect(event.body.forwarding).toEqual([
      {
        destination: 'http',
        state: 'dead',
        attempts: 1,
        last_error: 'HTTP 500 from the endpoint',
        next_attempt_at: null,
        forwarded_at: null,
      },
    ]);
    const health = await call(`${url}/healthz`);
    expect(health.body).toEqual({
      status: 'ok',
      forwarding: [{ destination: 'http', up: false, error: 'HTTP 500 from the endpoint' }],
    });

    destination.answer = { ok: true, duplicate: false };
    expect(await call(`${url}/forwarding/dead-letters/forward?destination=http`, 'POST')).toEqual({
      status: 202,
      body: { status: 'queued', count: 2, next_cursor: null },
    });
    const forwarded = await until(
      'msg_b forwarded again',
      () => call(`${url}/events/msg_b`),
      (r) => (r.body.forwarding as { state: string }[])[0]?.state === 'forwarded',
    );
    expect((forwarded.body.forwarding as { attempts: number }[])[0]?.attempts).toBe(1);
    expect(await call(`${url}/events/msg_a/forward`, 'POST')).toEqual({
      status: 202,
      body: { status: 'queued', webhook_id: 'msg_a', destinations: ['http'] },
    });
  });

  it('refuses an unknown destination, a quarantined event and an unknown one with clear errors', async () => {
    const { url } = await start();
    await store!.insertDelivery(delivery('msg_q', { status: 'quarantined' }));
    const bogus = await call(`${url}/events/msg_q/forward?destination=kafka`, 'POST');
    expect([bogus.status, (bogus.body.error as { code: string }).code]).toEqual([400, 'invalid_query']);
    const quarantined = await call(`${url}/events/msg_q/forward`, 'POST');
    expect([quarantined.status, (quarantined.body.error as { code: string }).code]).toEqual([
      409,
      'not_forwardable',
    ]);
    const unknown = await call(`${url}/events/msg_none/forward`, 'POST');
    expect([unknown.status, (unknown.body.error as { code: string }).code]).toEqual([404, 'event_not_found']);
    const badCursor = await call(`${url}/forwarding/dead-letters?cursor=xyz`);
    expect(badCursor.status).toBe(400);
  });

  it('filters dead letters by type and received-at window, and re-forwards only those', async () => {
    const { url, destination } = await start();
    await store!.insertDelivery(delivery('msg_p', { receivedAt: t0 }));
    await store!.insertDelivery(delivery('msg_f', { type: 'payment.failed', receivedAt: t0 + 60_000 }));
    await store!.insertDelivery(
      delivery('msg_m', { type: 'membership.activated', receivedAt: t0 + 120_000 }),
    );
    await until(
      'three dead letters',
      () => call(`${url}/forwarding/dead-letters`),
      (r) => r.body.matching === 3,
    );
    const ids = (r: { body: Record<string, unknown> }) =>
      (r.body.dead_letters as { webhook_id: string }[]).map((d) => d.webhook_id);
    const payments = await call(`${url}/forwarding/dead-letters?type=payment.*`);
    expect([ids(payments), payments.body.matching]).toEqual([['msg_f', 'msg_p'], 2]);
    const exact = await call(`${url}/forwarding/dead-letters?type=payment.failed&destination=http`);
    expect(ids(exact)).toEqual(['msg_f']);
    const window = `since=${encodeURIComponent(new Date(t0 + 60_000).toISOString())}&until=2026-01-01T00:02:00Z`;
    expect(ids(await call(`${url}/forwarding/dead-letters?${window}`))).toEqual(['msg_f']);

    destination.answer = { ok: true, duplicate: false };
    expect(await call(`${url}/forwarding/dead-letters/forward?type=payment.*&${window}`, 'POST')).toEqual({
      status: 202,
      body: { status: 'queued', count: 1, next_cursor: null },
    });
    await until(
      'msg_f forwarded, the others still dead',
      () => call(`${url}/forwarding/dead-letters`),
      (r) => r.body.matching === 2,
    );
    expect(ids(await call(`${url}/forwarding/dead-letters`))).toEqual(['msg_m', 'msg_p']);
  });

  it('re-forwards in batches, each answer saying where the next one starts', async () => {
    store = new SqliteStore({ filename: ':memory:', outboxRoutes: [{ destination: 'http', types: null }] });
    const outbox = store.outbox!;
    for (const id of ['msg_1', 'msg_2', 'msg_3']) await store.insertDelivery(delivery(id));
    const claimed = await outbox.claim('http', 'test', Date.now(), 60_000, 10);
    await outbox.settle(
      'test',
      claimed.map((c) => ({
        webhookId: c.webhookId,
        destination: 'http',
        state: 'dead' as const,
        error: 'x',
      })),
    );
    // Batches of two instead of 10 000, so three dead letters take two requests.
    const app = express();
    app.use(
      createReadApiRouter({
        store,
        apiToken: token,
        forwarding: {
          outbox: {
            ...outbox,
            reforwardDead: (filter, after, _limit, now) => outbox.reforwardDead(filter, after, 2, now),
          },
          destinations: ['http'],
        },
      }),
    );
    server = await listenLocally(app);
    const first = await call(`${server.url}/forwarding/dead-letters/forward`, 'POST');
    expect(first.body).toMatchObject({ status: 'queued', count: 2 });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(
      `${server.url}/forwarding/dead-letters/forward?cursor=${first.body.next_cursor as string}`,
      'POST',
    );
    expect(second.body).toEqual({ status: 'queued', count: 1, next_cursor: null });
    expect((await call(`${server.url}/forwarding/dead-letters`)).body).toMatchObject({
      dead_letters: [],
      matching: 0,
    });
    expect((await outbox.deliveriesOf('msg_3'))[0]?.state).toBe('pending');
  });

  it('refuses a malformed type pattern, time window or cursor with 400 invalid_query', async () => {
    const { url } = await start();
    for (const [method, query] of [
      ['GET', 'type=payment.'],
      ['POST', 'type=bad%20type'],
      ['GET', `type=${'a'.repeat(201)}`],
      ['POST', 'since=yesterday'],
      ['GET', 'since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z'],
      ['POST', `cursor=${Buffer.from(JSON.stringify(['msg_\u0000', 'http'])).toString('base64url')}`],
      ['GET', 'destination=kafka'],
    ] as const) {
      const answer = await call(
        `${url}/forwarding/dead-letters${method === 'POST' ? '/forward' : ''}?${query}`,
        method,
      );
      expect([query, answer.status, (answer.body.error as { code: string }).code]).toEqual([
        query,
        400,
        'invalid_query',
      ]);
    }
    const pattern = await call(`${url}/forwarding/dead-letters?type=payment.`);
    expect((pattern.body.error as { message: string }).message).toContain('prefix ending in .*');
  });

  it('says forwarding is off, with no destinations, on a receiver without any', async () => {
    store = new SqliteStore({ filename: ':memory:' });
    receiver = createReceiver({ store, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', apiToken: token });
    server = await listenLocally(receiver);
    expect(await call(`${server.url}/forwarding`)).toEqual({
      status: 200,
      body: { enabled: false, destinations: [] },
    });
    expect((await call(`${server.url}/forwarding/dead-letters`)).body).toEqual({
      dead_letters: [],
      next_cursor: null,
      matching: 0,
      matching_capped: false,
    });
  });

  it('keeps the forwarding routes behind the read API token', async () => {
    const { url } = await start();
    for (const [method, path] of [
      ['GET', '/forwarding'],
      ['GET', '/forwarding/dead-letters'],
      ['POST', '/forwarding/dead-letters/forward'],
      ['POST', '/events/msg_a/forward'],
    ] as const) {
      const bare = await fetch(`${url}${path}`, { method });
      expect([path, bare.status]).toEqual([path, 401]);
      const wrong = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: 'Bearer not-the-forwarding-token' },
      });
      expect([path, wrong.status]).toEqual([path, 401]);
    }
  });
});
