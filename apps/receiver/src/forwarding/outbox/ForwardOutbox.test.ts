// The outbox on both databases: rows are written with the events they forward, claims lease them,
// outcomes only count while the lease holds, and a replay that makes a quarantined event valid
// makes it forwardable.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewDelivery, Store } from '../../store/core/Store.js';
import { PostgresStore } from '../../store/postgres/PostgresStore.js';
import { SqliteStore } from '../../store/sqlite/SqliteStore.js';
import { dropSchema, randomSchema, testDatabaseUrl } from '../../store/test-support/postgresTestDatabase.js';
import { delivery as contractDelivery } from '../../store/test-support/storeContract.js';
import type { ForwardOutbox } from './ForwardOutbox.js';
import type { OutboxRoute } from './OutboxRoute.js';

const routes: OutboxRoute[] = [
  { destination: 'nats', types: null },
  { destination: 'amqp', types: ['membership.*'] },
];

const t0 = Date.UTC(2026, 0, 1);

/** A stored delivery of a membership event (the type both destinations take) unless told otherwise. */
function delivery(webhookId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return contractDelivery(webhookId, { type: 'membership.went_valid', receivedAt: t0, ...overrides });
}

interface Backend {
  name: string;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite (writer thread)',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
      const store = new SqliteStore({ filename: path.join(dir, 'r.sqlite'), outboxRoutes: routes });
      return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const schema = randomSchema();
      const store = await PostgresStore.open({ url: testDatabaseUrl, schema, outboxRoutes: routes });
      return { store, cleanup: () => dropSchema(schema) };
    },
  },
];

for (const backend of backends) {
  describe(`the forwarding outbox on ${backend.name}`, () => {
    let opened: { store: Store; cleanup(): Promise<void> } | undefined;
    afterEach(async () => {
      await opened?.store.close();
      await opened?.cleanup();
      opened = undefined;
    });
    const open = async (): Promise<{ store: Store; outbox: ForwardOutbox }> => {
      opened = await backend.open();
      return { store: opened.store, outbox: opened.store.outbox! };
    };

    it("hands each claimed row its event's stored traceparent, null where none was stored", async () => {
      const { store, outbox } = await open();
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await store.insertDelivery(delivery('msg_traced', { traceparent }));
      await store.insertDelivery(delivery('msg_plain'));
      const claimed = await outbox.claim('nats', 'owner', t0, 60_000, 10);
      expect(new Map(claimed.map((c) => [c.webhookId, c.traceparent]))).toEqual(
        new Map([
          ['msg_traced', traceparent],
          ['msg_plain', null],
        ]),
      );
    });

    it('writes one row per matching destination for each stored eligible event, none for the others', async () => {
      const { store, outbox } = await open();
      await Promise.all([
        store.insertDelivery(delivery('msg_a')),
        store.insertDelivery(delivery('msg_a')),
        store.insertDelivery(delivery('msg_b', { type: 'payment.succeeded' })),
        store.insertDelivery(delivery('msg_c', { type: 'some.new_type', status: 'unhandled' })),
        store.insertDelivery(delivery('msg_q', { status: 'quarantined' })),
        store.insertDelivery(delivery('msg_n', { type: null, status: 'quarantined' })),
      ]);
      const states = async (id: string) =>
        (await outbox.deliveriesOf(id)).map((d) => [d.destination, d.state]);
      expect(await states('msg_a')).toEqual([
        ['amqp', 'pending'],
        ['nats', 'pending'],
      ]);
      expect(await states('msg_b')).toEqual([['nats', 'pending']]);
      expect(await states('msg_c')).toEqual([['nats', 'pending']]);
      expect(await states('msg_q')).toEqual([]);
      expect(await states('msg_n')).toEqual([]);
      expect(await outbox.backlog()).toEqual(
        expect.arrayContaining([
          { destination: 'nats', pending: 3, dead: 0, oldestPendingAt: t0 },
          { destination: 'amqp', pending: 1, dead: 0, oldestPendingAt: t0 },
        ]),
      );
    });

    it('leases claimed rows to one owner and counts only the outcomes of a lease still held', async () => {
      const { store, outbox } = await open();
      await store.insertDelivery(delivery('msg_1'));
      await store.insertDelivery(delivery('msg_2'));
      const now = Date.now();
      const first = await outbox.claim('nats', 'fwd-a', now, 60_000, 10);
      expect(first.map((i) => [i.webhookId, i.type, i.attempts, i.body.toString()])).toEqual([
        ['msg_1', 'membership.went_valid', 1, '{"id":"msg_1"}'],
        ['msg_2', 'membership.went_valid', 1, '{"id":"msg_2"}'],
      ]);
      // Leased: another owner gets nothing, while the other destination's rows are its own.
      expect(await outbox.claim('nats', 'fwd-b', now, 60_000, 10)).toEqual([]);
      expect((await outbox.claim('amqp', 'fwd-b', now, 60_000, 10)).length).toBe(2);
      // Not the holder: nothing changes.
      await outbox.settle('fwd-b', [
        { webhookId: 'msg_1', destination: 'nats', state: 'forwarded', at: now },
      ]);
      expect((await outbox.deliveriesOf('msg_1')).find((d) => d.destination === 'nats')?.state).toBe(
        'pending',
      );
      await outbox.settle('fwd-a', [
        { webhookId: 'msg_1', destination: 'nats', state: 'forwarded', at: now },
        {
          webhookId: 'msg_2',
          destination: 'nats',
          state: 'pending',
          error: 'broker down',
          nextAttemptAt: now + 5,
        },
      ]);
      const [one] = await outbox.deliveriesOf('msg_1').then((d) => d.filter((x) => x.destination === 'nats'));
      expect(one).toEqual({
        destination: 'nats',
        state: 'forwarded',
        attempts: 1,
        lastError: null,
        nextAttemptAt: null,
        forwardedAt: now,
      });
      // The retry is not due yet, then it is, and counts a second attempt.
      expect(await outbox.claim('nats', 'fwd-a', now, 60_000, 10)).toEqual([]);
      const retried = await outbox.claim('nats', 'fwd-a', now + 5, 60_000, 10);
      expect(retried.map((i) => [i.webhookId, i.attempts])).toEqual([['msg_2', 2]]);
    });

    it("takes over a row whose forwarder's lease ran out", async () => {
      const { store, outbox } = await open();
      await store.insertDelivery(delivery('msg_1'));
      expect((await outbox.claim('nats', 'dead-one', Date.now(), 1, 10)).length).toBe(1);
      const deadline = Date.now() + 5000;
      let taken: Awaited<ReturnType<ForwardOutbox['claim']>> = [];
      while (taken.length === 0 && Date.now() < deadline) {
        taken = await outbox.claim('nats', 'alive', Date.now(), 60_000, 10);
      }
      expect(taken.map((i) => [i.webhookId, i.attempts])).toEqual([['msg_1', 2]]);
    });

    it('dead-letters and re-forwards on request, and refuses a quarantined event', async () => {
      const { store, outbox } = await open();
      await store.insertDelivery(delivery('msg_1'));
      await store.insertDelivery(delivery('msg_q', { status: 'quarantined' }));
      const now = Date.now();
      await outbox.claim('nats', 'fwd', now, 60_000, 10);
      await outbox.settle('fwd', [
        { webhookId: 'msg_1', destination: 'nats', state: 'dead', error: 'gave up' },
      ]);
      expect(await outbox.backlog()).toEqual(
        expect.arrayContaining([{ destination: 'nats', pending: 0, dead: 1, oldestPendingAt: null }]),
      );
      expect(await outbox.deadLetters(null, null, 10)).toEqual([
        {
          webhookId: 'msg_1',
          destination: 'nats',
          type: 'membership.went_valid',
          attempts: 1,
          lastError: 'gave up',
        },
      ]);
      expect(await outbox.deadLetters('amqp', null, 10)).toEqual([]);
      expect(await outbox.deadLetters(null, { webhookId: 'msg_1', destination: 'nats' }, 10)).toEqual([]);
      expect(await outbox.reforward('msg_1', ['nats'], now + 1)).toBe(1);
      const [again] = await outbox.claim('nats', 'fwd', now + 1, 60_000, 10);
      expect([again?.webhookId, again?.attempts]).toEqual(['msg_1', 1]);
      await outbox.settle('fwd', [
        { webhookId: 'msg_1', destination: 'nats', state: 'dead', error: 'again' },
      ]);
      expect(await outbox.reforwardDead('amqp', now + 2)).toBe(0);
      expect(await outbox.reforwardDead(null, now + 2)).toBe(1);
      expect(await outbox.deadLetters(null, null, 10)).toEqual([]);
      expect(await outbox.reforward('msg_q', ['nats'], now)).toBe(0);
      expect(await outbox.reforward('msg_unknown', ['nats'], now)).toBe(0);
    });

    it('makes a quarantined event forwardable once a replay settles it as processed', async () => {
      const { store, outbox } = await open();
      await store.insertDelivery(delivery('msg_q', { status: 'quarantined' }));
      expect(await outbox.deliveriesOf('msg_q')).toEqual([]);
      await store.requeue('msg_q', Date.now());
      const [claimed] = await store.claimDue('worker', Date.now() + 1000, 30_000, 10);
      expect(claimed?.webhookId).toBe('msg_q');
      expect(await store.settle('msg_q', 'worker', { status: 'processed', effects: {} }, Date.now())).toBe(
        true,
      );
      expect((await outbox.deliveriesOf('msg_q')).map((d) => [d.destination, d.state])).toEqual([
        ['amqp', 'pending'],
        ['nats', 'pending'],
      ]);
    });
  });
}
