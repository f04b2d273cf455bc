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
import { allDeadLetters, type DeadLetterFilter, type ForwardOutbox } from './ForwardOutbox.js';
import type { OutboxRoute } from './OutboxRoute.js';

const routes: OutboxRoute[] = [
  { destination: 'nats', types: null },
  { destination: 'amqp', types: ['membership.*'] },
];

const t0 = Date.UTC(2026, 0, 1);

/** The dead letters of one destination. */
const of = (destination: string): DeadLetterFilter => ({ ...allDeadLetters, destination });
const none = { count: 0, last: null, more: false };

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
      expect(await outbox.deadLetters(allDeadLetters, null, 10)).toEqual([
        {
          webhookId: 'msg_1',
          destination: 'nats',
          type: 'membership.went_valid',
          attempts: 1,
          lastError: 'gave up',
          receivedAt: t0,
        },
      ]);
      expect(await outbox.deadLetters(of('amqp'), null, 10)).toEqual([]);
      expect(
        await outbox.deadLetters(allDeadLetters, { webhookId: 'msg_1', destination: 'nats' }, 10),
      ).toEqual([]);
      expect(await outbox.reforward('msg_1', ['nats'], now + 1)).toBe(1);
      const [again] = await outbox.claim('nats', 'fwd', now + 1, 60_000, 10);
      expect([again?.webhookId, again?.attempts]).toEqual(['msg_1', 1]);
      await outbox.settle('fwd', [
        { webhookId: 'msg_1', destination: 'nats', state: 'dead', error: 'again' },
      ]);
      expect(await outbox.reforwardDead(of('amqp'), null, 10, now + 2)).toEqual(none);
      expect(await outbox.reforwardDead(allDeadLetters, null, 10, now + 2)).toEqual({
        count: 1,
        last: { webhookId: 'msg_1', destination: 'nats' },
        more: false,
      });
      expect(await outbox.deadLetters(allDeadLetters, null, 10)).toEqual([]);
      expect(await outbox.reforward('msg_q', ['nats'], now)).toBe(0);
      expect(await outbox.reforward('msg_unknown', ['nats'], now)).toBe(0);
    });

    /** Claims every due row of `destination` and settles each as `state`. */
    async function settleAll(outbox: ForwardOutbox, destination: string, state: 'dead' | 'forwarded') {
      const claimed = await outbox.claim(destination, 'fwd', Date.now(), 60_000, 100);
      await outbox.settle(
        'fwd',
        claimed.map((c) =>
          state === 'dead'
            ? { webhookId: c.webhookId, destination, state, error: 'gave up' }
            : { webhookId: c.webhookId, destination, state, at: Date.now() },
        ),
      );
      return claimed.length;
    }

    it('filters dead letters by destination, type pattern and received-at window, and re-forwards them in batches', async () => {
      const { store, outbox } = await open();
      await store.insertDelivery(delivery('msg_p1', { type: 'payment.succeeded', receivedAt: t0 }));
      await store.insertDelivery(delivery('msg_p2', { type: 'payment.failed', receivedAt: t0 + 1000 }));
      await store.insertDelivery(delivery('msg_m1', { receivedAt: t0 + 2000 }));
      await store.insertDelivery(delivery('msg_x', { type: 'paymentx.y', receivedAt: t0 + 3000 }));
      expect(await settleAll(outbox, 'nats', 'dead')).toBe(4);
      expect(await settleAll(outbox, 'amqp', 'dead')).toBe(1);
      const keys = async (filter: DeadLetterFilter) =>
        (await outbox.deadLetters(filter, null, 10)).map((d) => `${d.webhookId}/${d.destination}`);

      expect(await keys({ ...allDeadLetters, type: { prefix: 'payment.' } })).toEqual([
        'msg_p1/nats',
        'msg_p2/nats',
      ]);
      expect(await keys({ ...allDeadLetters, type: { exact: 'payment.failed' } })).toEqual(['msg_p2/nats']);
      expect(await keys({ ...allDeadLetters, since: t0 + 1000, until: t0 + 3000 })).toEqual([
        'msg_m1/amqp',
        'msg_m1/nats',
        'msg_p2/nats',
      ]);
      expect(await keys({ ...of('amqp'), since: t0 + 2001 })).toEqual([]);
      expect(await outbox.countDeadLetters(allDeadLetters, 100)).toBe(5);
      expect(await outbox.countDeadLetters(allDeadLetters, 3)).toBe(3);
      expect(await outbox.countDeadLetters({ ...of('nats'), type: { prefix: 'payment.' } }, 100)).toBe(2);

      // One row per batch: each answer says where the next starts, and the last says no more match.
      const payments: DeadLetterFilter = { ...allDeadLetters, type: { prefix: 'payment.' } };
      const first = await outbox.reforwardDead(payments, null, 1, t0);
      expect(first).toEqual({ count: 1, last: { webhookId: 'msg_p1', destination: 'nats' }, more: true });
      const second = await outbox.reforwardDead(payments, first.last, 1, t0);
      expect(second).toEqual({ count: 1, last: { webhookId: 'msg_p2', destination: 'nats' }, more: false });
      expect(await outbox.reforwardDead(payments, null, 10, t0)).toEqual(none);
      expect(await keys(allDeadLetters)).toEqual(['msg_m1/amqp', 'msg_m1/nats', 'msg_x/nats']);
      const revived = (await outbox.deliveriesOf('msg_p2')).find((d) => d.destination === 'nats');
      expect(revived).toMatchObject({ state: 'pending', attempts: 0, lastError: null, nextAttemptAt: t0 });
    });

    it("summarises each destination's backlog with counts bounded by the cap and its oldest pending row", async () => {
      const { store, outbox } = await open();
      for (let i = 0; i < 5; i++) {
        await store.insertDelivery(delivery(`msg_${i}`, { receivedAt: t0 + i * 1000 }));
      }
      expect(await outbox.backlogSummary(['nats', 'http'], 3)).toEqual([
        {
          destination: 'nats',
          pending: 3,
          pendingCapped: true,
          dead: 0,
          deadCapped: false,
          oldestPendingAt: t0,
        },
        {
          destination: 'http',
          pending: 0,
          pendingCapped: false,
          dead: 0,
          deadCapped: false,
          oldestPendingAt: null,
        },
      ]);
      // The oldest is forwarded: the next one is the oldest; two of amqp's are given up on.
      const [oldest] = await outbox.claim('nats', 'fwd', Date.now(), 60_000, 1);
      expect(oldest?.webhookId).toBe('msg_0');
      await outbox.settle('fwd', [{ webhookId: 'msg_0', destination: 'nats', state: 'forwarded', at: t0 }]);
      const amqp = await outbox.claim('amqp', 'fwd', Date.now(), 60_000, 2);
      await outbox.settle(
        'fwd',
        amqp.map((c) => ({
          webhookId: c.webhookId,
          destination: 'amqp',
          state: 'dead' as const,
          error: 'x',
        })),
      );
      expect(await outbox.backlogSummary(['nats', 'amqp'], 10)).toEqual([
        {
          destination: 'nats',
          pending: 4,
          pendingCapped: false,
          dead: 0,
          deadCapped: false,
          oldestPendingAt: t0 + 1000,
        },
        {
          destination: 'amqp',
          pending: 3,
          pendingCapped: false,
          dead: 2,
          deadCapped: false,
          oldestPendingAt: t0 + 2000,
        },
      ]);
      expect((await outbox.backlogSummary(['amqp'], 1))[0]).toMatchObject({ dead: 1, deadCapped: true });
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
