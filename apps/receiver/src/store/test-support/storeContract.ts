// The behaviour every Store implementation must show. Run it from an implementation's test file:
//   describeStoreContract('SqliteStore', async () => ({ store: new SqliteStore({ filename }) }));
// (Lives under test-support/, which the build excludes.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../errors.js';
import { lessonProgress } from '../../readModels/lessonProgress/index.js';
import { allProgress } from '../../readModels/lessonProgress/test-support/allProgress.js';
import {
  type ExportEventsQuery,
  type ExportedEvent,
  eventStatuses,
  type NewDelivery,
  type Store,
} from '../core/Store.js';
import { nextDueAt } from './nextDueAt.js';

export interface StoreUnderTest {
  store: Store;
  /** Called after each test, after the store is closed (drop the database, remove the file). */
  cleanup?: () => Promise<void> | void;
}

const t0 = Date.UTC(2025, 0, 1);

export function delivery(webhookId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    webhookId,
    type: 'course_lesson_interaction.completed',
    status: 'received',
    body: Buffer.from(`{"id":"${webhookId}"}`),
    headers: { 'content-type': 'application/json', 'webhook-id': webhookId },
    errors: null,
    receivedAt: t0,
    ...overrides,
  };
}

/**
 * Every page of an export, walked as the HTTP export walks it; also the number of pages read. A
 * short page ends the walk, unless `maxBytes` may have ended it: then only an empty one does.
 */
export async function exportAll(
  store: Store,
  query: Omit<ExportEventsQuery, 'after'>,
): Promise<{ events: ExportedEvent[]; pages: number }> {
  const events: ExportedEvent[] = [];
  let pages = 0;
  for (;;) {
    const last = events[events.length - 1];
    const page = await store.exportEvents({
      ...query,
      ...(last === undefined ? {} : { after: { receivedAt: last.receivedAt, webhookId: last.webhookId } }),
    });
    pages++;
    events.push(...page);
    if (page.length === 0 || (query.maxBytes === undefined && page.length < query.limit)) {
      return { events, pages };
    }
  }
}

export function describeStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} (Store contract)`, () => {
    let subject: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });

    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    describe('insertDelivery', () => {
      it('stores a new delivery with its exact bytes and reports it as new', async () => {
        const body = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0xff, 0x00, 0x22, 0x7d]);
        const outcome = await store.insertDelivery(delivery('msg_1', { body }));
        expect(outcome).toEqual({ inserted: true, status: 'received', deliveriesSeen: 1 });

        const event = await store.getEvent('msg_1');
        expect(event).toMatchObject({
          webhookId: 'msg_1',
          type: 'course_lesson_interaction.completed',
          status: 'received',
          headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
          errors: null,
          deliveriesSeen: 1,
          receivedAt: t0,
          processedAt: null,
          attempts: 0,
          lastError: null,
          nextAttemptAt: t0,
        });
        expect(Buffer.compare(event!.body, body)).toBe(0);
      });

      it('counts a repeated webhook-id as a duplicate and keeps the first body', async () => {
        await store.insertDelivery(delivery('msg_1'));
        const again = await store.insertDelivery(delivery('msg_1', { body: Buffer.from('{"other":1}') }));
        expect(again).toEqual({ inserted: false, status: 'received', deliveriesSeen: 2 });
        const event = await store.getEvent('msg_1');
        expect(event!.body.toString()).toBe('{"id":"msg_1"}');
        expect(event!.deliveriesSeen).toBe(2);
      });

      it('stores one row for concurrent inserts of one webhook-id and marks exactly one as new', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () => store.insertDelivery(delivery('msg_same'))),
        );
        expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
        expect(outcomes.map((o) => o.deliveriesSeen).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        expect((await store.getEvent('msg_same'))!.deliveriesSeen).toBe(20);
        const page = await store.listEvents({ limit: 50 });
        expect(page.events).toHaveLength(1);
      });

      it('keeps quarantined deliveries with their errors and never hands them to a worker', async () => {
        const errors = [{ pointer: '/data/user/username', message: 'must be string' }];
        const outcome = await store.insertDelivery(delivery('msg_q', { status: 'quarantined', errors }));
        expect(outcome.status).toBe('quarantined');
        await store.insertDelivery(delivery('msg_u', { status: 'unhandled', type: 'payment.succeeded' }));
        // Neither is scheduled for processing.
        expect(await store.getEvent('msg_q')).toMatchObject({ errors, nextAttemptAt: null });
        expect(await store.getEvent('msg_u')).toMatchObject({ status: 'unhandled', nextAttemptAt: null });
        expect(await store.claimDue('w1', t0 + 1_000_000, 1000, 10)).toEqual([]);
        expect(await nextDueAt(store)).toBeNull();
      });

      it('a duplicate of a processed, failed, quarantined or unhandled event leaves it exactly as it was', async () => {
        const completion = { userId: 'user_1', courseId: 'cors_1', lessonId: 'lesn_1', completedAt: t0 };
        for (const id of ['msg_p', 'msg_f', 'msg_dead', 'msg_q']) await store.insertDelivery(delivery(id));
        await store.insertDelivery(delivery('msg_u', { status: 'unhandled', type: 'payment.succeeded' }));
        await store.claimDue('w1', t0, 1000, 10);
        const errors = [{ pointer: '/data', message: 'must be object' }];
        await store.settle(
          'msg_p',
          'w1',
          { status: 'processed', effects: { lessonCompletions: [completion] } },
          t0,
        );
        await store.settle('msg_f', 'w1', { status: 'failed', error: 'boom', nextAttemptAt: t0 + 5000 }, t0);
        await store.settle('msg_dead', 'w1', { status: 'failed', error: 'gave up', nextAttemptAt: null }, t0);
        await store.settle('msg_q', 'w1', { status: 'quarantined', errors }, t0);
        const ids = ['msg_p', 'msg_f', 'msg_dead', 'msg_q', 'msg_u'];
        const before = await Promise.all(ids.map((id) => store.getEvent(id)));
        const progress = await allProgress(store.reader(lessonProgress));

        // A sender's retry: same webhook-id, arriving later, even claiming to be a fresh delivery.
        for (const [i, id] of ids.entries()) {
          const outcome = await store.insertDelivery(
            delivery(id, { receivedAt: t0 + 9000, body: Buffer.from('{"retry":true}') }),
          );
          expect(outcome).toEqual({ inserted: false, status: before[i]!.status, deliveriesSeen: 2 });
        }
        const after = await Promise.all(ids.map((id) => store.getEvent(id)));
        expect(after).toEqual(before.map((e) => ({ ...e, deliveriesSeen: 2 })));
        expect(after.map((e) => e!.status)).toEqual([
          'processed',
          'failed',
          'failed',
          'quarantined',
          'unhandled',
        ]);
        expect(await allProgress(store.reader(lessonProgress))).toEqual(progress);
        expect(await nextDueAt(store)).toBe(t0 + 5000);
        // Nothing became due again: only the failed event's own retry, at its own time.
        expect(await store.claimDue('w2', t0 + 4999, 1000, 10)).toEqual([]);
        const due = await store.claimDue('w2', t0 + 1_000_000, 1000, 10);
        expect(due.map((c) => c.webhookId)).toEqual(['msg_f']);
      });
    });

    describe('bounded contract errors', () => {
      const errors = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ pointer: `/data/items/${i}`, message: 'must be string' }));

      it('keeps the count of errors found next to the first ones, on insert and on settlement', async () => {
        await store.insertDelivery(
          delivery('msg_q', { status: 'quarantined', errors: errors(20), errorCount: 125_000 }),
        );
        await store.insertDelivery(delivery('msg_few', { status: 'quarantined', errors: errors(2) }));
        expect(await store.getEvent('msg_q')).toMatchObject({ errors: errors(20), errorCount: 125_000 });
        expect(await store.getEvent('msg_few')).toMatchObject({ errors: errors(2), errorCount: 2 });
        await store.insertDelivery(delivery('msg_ok'));
        expect(await store.getEvent('msg_ok')).toMatchObject({ errors: null, errorCount: null });

        const [claim] = await store.claimDue('w1', t0, 60_000, 10);
        expect(claim?.webhookId).toBe('msg_ok');
        const settlement = { status: 'quarantined' as const, errors: errors(20), errorCount: 1000 };
        expect(await store.settle('msg_ok', 'w1', settlement, t0 + 1)).toBe(true);
        expect(await store.getEvent('msg_ok')).toMatchObject({ errors: errors(20), errorCount: 1000 });
        const listed = (await store.listEvents({ limit: 10 })).events.map((e) => [e.webhookId, e.errorCount]);
        expect(listed).toEqual([
          ['msg_ok', 1000],
          ['msg_few', 2],
          ['msg_q', 125_000],
        ]);
      });

      it('reads back at most 20 errors, each string bounded, whatever a row holds', async () => {
        const long = { pointer: `/data/${'k'.repeat(10_000)}`, message: 'm'.repeat(10_000) };
        await store.insertDelivery(
          delivery('msg_many', { status: 'quarantined', errors: [long, ...errors(29)] }),
        );
        const event = await store.getEvent('msg_many');
        expect(event?.errors).toHaveLength(20);
        expect(event?.errorCount).toBe(30);
        expect(event?.errors?.[0]?.pointer).toHaveLength(256);
        expect(event?.errors?.[0]?.message).toHaveLength(256);
        expect(event?.errors?.[1]).toEqual({ pointer: '/data/items/0', message: 'must be string' });
      });
    });

    describe('pages bounded in bytes', () => {
      const fiveEvents = () =>
        Promise.all(
          ['a', 'b', 'c', 'd', 'e'].map((id, i) =>
            store.insertDelivery(delivery(`msg_${id}`, { receivedAt: t0 + i })),
          ),
        );

      /** Every page of listEvents under `budget`, as [webhook ids, has a cursor]. */
      async function eventPages(sizeOf: (id: string) => number, maxBytes: number) {
        const pages: string[][] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await store.listEvents({
            limit: 3,
            ...(cursor === undefined ? {} : { cursor }),
            budget: { maxBytes, sizeOf: (e) => sizeOf(e.webhookId) },
          });
          pages.push(page.events.map((e) => e.webhookId));
          if (page.nextCursor === null) return pages;
          cursor = page.nextCursor;
        }
        throw new Error('listEvents kept issuing cursors');
      }

      it('ends an event page before the row that would pass the budget, and the cursor goes on from there', async () => {
        await fiveEvents();
        expect(await eventPages(() => 100, 250)).toEqual([['msg_e', 'msg_d'], ['msg_c', 'msg_b'], ['msg_a']]);
        // The row limit still holds when the budget is ample.
        expect(await eventPages(() => 1, 1000)).toEqual([
          ['msg_e', 'msg_d', 'msg_c'],
          ['msg_b', 'msg_a'],
        ]);
      });

      it('returns a row larger than the budget alone on its page, skipping nothing', async () => {
        await fiveEvents();
        expect(await eventPages((id) => (id === 'msg_c' ? 10_000 : 100), 250)).toEqual([
          ['msg_e', 'msg_d'],
          ['msg_c'],
          ['msg_b', 'msg_a'],
        ]);
      });

      it('ends a progress page before the pair that would pass the budget', async () => {
        const completions = ['u1', 'u2', 'u3'].map((userId, i) => ({
          userId,
          courseId: 'c1',
          lessonId: `l${i}`,
          completedAt: t0,
        }));
        await store.insertDelivery(delivery('msg_p'));
        const [claim] = await store.claimDue('w1', t0, 60_000, 1);
        expect(claim?.webhookId).toBe('msg_p');
        await store.settle(
          'msg_p',
          'w1',
          { status: 'processed', effects: { lessonCompletions: completions } },
          t0,
        );
        const budget = { maxBytes: 150, sizeOf: () => 100 };
        const first = await store.reader(lessonProgress).listProgress({ limit: 10, budget });
        expect(first.progress.map((p) => p.userId)).toEqual(['u1']);
        expect(first.nextCursor).not.toBeNull();
        const second = await store
          .reader(lessonProgress)
          .listProgress({ limit: 10, budget, cursor: first.nextCursor! });
        expect(second.progress.map((p) => p.userId)).toEqual(['u2']);
        const rest = await store
          .reader(lessonProgress)
          .listProgress({ limit: 10, cursor: second.nextCursor! });
        expect(rest).toMatchObject({ progress: [{ userId: 'u3' }], nextCursor: null });
      });

      it('ends an export page before the body that would pass maxBytes, a larger one alone', async () => {
        const sizes = [100, 100, 100, 300, 50];
        await Promise.all(
          sizes.map((bytes, i) =>
            store.insertDelivery(
              delivery(`msg_${i}`, { receivedAt: t0 + i, body: Buffer.alloc(bytes, 0x61) }),
            ),
          ),
        );
        const pages: number[][] = [];
        let after: ExportEventsQuery['after'];
        for (let i = 0; i < 10; i++) {
          const page = await store.exportEvents({
            limit: 10,
            maxBytes: 250,
            ...(after === undefined ? {} : { after }),
          });
          pages.push(page.map((e) => e.body.length));
          const last = page[page.length - 1];
          if (last === undefined) break;
          after = { receivedAt: last.receivedAt, webhookId: last.webhookId };
        }
        expect(pages).toEqual([[100, 100], [100], [300], [50], []]);
        const walked = await exportAll(store, { limit: 10, maxBytes: 250 });
        expect(walked.events.map((e) => e.webhookId)).toEqual(['msg_0', 'msg_1', 'msg_2', 'msg_3', 'msg_4']);
      });

      it('refuses a maxBytes below 1', async () => {
        await expect(store.exportEvents({ limit: 10, maxBytes: 0 })).rejects.toThrow(RangeError);
      });
    });

    describe('getEvent and listEvents', () => {
      it('answers null for an unknown webhook-id', async () => {
        expect(await store.getEvent('msg_missing')).toBeNull();
      });

      it('lists newest first, filters by type and status, and pages with an opaque cursor', async () => {
        for (let i = 0; i < 7; i++) {
          await store.insertDelivery(
            delivery(`msg_${i}`, {
              type: i % 2 === 0 ? 'course_lesson_interaction.completed' : 'payment.succeeded',
              status: i % 2 === 0 ? 'received' : 'unhandled',
              receivedAt: t0 + i,
            }),
          );
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listEvents({ limit: 3, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.events.map((e) => e.webhookId));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBe(3);
        expect(seen).toEqual(['msg_6', 'msg_5', 'msg_4', 'msg_3', 'msg_2', 'msg_1', 'msg_0']);

        const byType = await store.listEvents({ limit: 10, type: 'payment.succeeded' });
        expect(byType.events.map((e) => e.webhookId)).toEqual(['msg_5', 'msg_3', 'msg_1']);
        expect(byType.nextCursor).toBeNull();
        const byStatus = await store.listEvents({ limit: 10, status: 'received' });
        expect(byStatus.events.map((e) => e.webhookId)).toEqual(['msg_6', 'msg_4', 'msg_2', 'msg_0']);
      });

      it('lists by each of eventStatuses, which names every status an event reaches', async () => {
        for (const id of ['msg_p', 'msg_f', 'msg_q']) await store.insertDelivery(delivery(id));
        await store.insertDelivery(delivery('msg_u', { status: 'unhandled', type: 'payment.succeeded' }));
        await store.claimDue('w1', t0, 1000, 10);
        await store.insertDelivery(delivery('msg_r'));
        await store.settle('msg_p', 'w1', { status: 'processed', effects: {} }, t0);
        await store.settle('msg_f', 'w1', { status: 'failed', error: 'boom', nextAttemptAt: null }, t0);
        await store.settle('msg_q', 'w1', { status: 'quarantined', errors: [] }, t0);
        const listed = await Promise.all(
          eventStatuses.map(async (status) => [
            status,
            (await store.listEvents({ status, limit: 10 })).events.map((e) => e.webhookId),
          ]),
        );
        expect(Object.fromEntries(listed)).toEqual({
          received: ['msg_r'],
          processed: ['msg_p'],
          failed: ['msg_f'],
          quarantined: ['msg_q'],
          unhandled: ['msg_u'],
        });
      });

      it('rejects a cursor it did not issue with invalid_cursor', async () => {
        await expect(store.listEvents({ limit: 5, cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'invalid_cursor',
        });
      });
    });

    describe('exportEvents', () => {
      it('exports oldest first by received_at, then webhook-id in byte order, with each body as stored', async () => {
        // Inserted out of order, two sharing a millisecond, and an id with a byte above ASCII.
        await Promise.all([
          store.insertDelivery(delivery('msg_c', { receivedAt: t0 + 2 })),
          store.insertDelivery(delivery('msg_\u00e9', { receivedAt: t0 + 1 })),
          store.insertDelivery(delivery('msg_z', { receivedAt: t0 + 1 })),
          store.insertDelivery(delivery('msg_a', { receivedAt: t0 + 3, type: null, status: 'quarantined' })),
        ]);
        const events = await store.exportEvents({ limit: 10 });
        expect(events).toEqual([
          {
            webhookId: 'msg_z',
            type: 'course_lesson_interaction.completed',
            status: 'received',
            receivedAt: t0 + 1,
            body: Buffer.from('{"id":"msg_z"}'),
          },
          {
            webhookId: 'msg_\u00e9',
            type: 'course_lesson_interaction.completed',
            status: 'received',
            receivedAt: t0 + 1,
            body: Buffer.from('{"id":"msg_\u00e9"}'),
          },
          {
            webhookId: 'msg_c',
            type: 'course_lesson_interaction.completed',
            status: 'received',
            receivedAt: t0 + 2,
            body: Buffer.from('{"id":"msg_c"}'),
          },
          {
            webhookId: 'msg_a',
            type: null,
            status: 'quarantined',
            receivedAt: t0 + 3,
            body: Buffer.from('{"id":"msg_a"}'),
          },
        ]);
      });

      it('keeps bodies byte for byte: invalid UTF-8, CRLF, NUL and an empty body', async () => {
        const bodies = [
          Buffer.from([0xff, 0xfe, 0x7b, 0x0d, 0x0a, 0x00, 0xc3]),
          Buffer.from('{"a":1}\r\n{"b":2}\r\n'),
          Buffer.alloc(0),
        ];
        await Promise.all(
          bodies.map((body, i) =>
            store.insertDelivery(delivery(`msg_${i}`, { body, receivedAt: t0 + i, type: null })),
          ),
        );
        const events = await store.exportEvents({ limit: 10 });
        expect(events.map((e) => e.body.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
      });

      it('filters by types, statuses, since (inclusive) and until (exclusive)', async () => {
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.insertDelivery(
              delivery(`msg_${String(i).padStart(2, '0')}`, {
                receivedAt: t0 + i * 10,
                type: i % 2 === 0 ? 'payment.succeeded' : 'membership.activated',
                status: i % 3 === 0 ? 'quarantined' : 'received',
              }),
            ),
          ),
        );
        const ids = async (query: Omit<ExportEventsQuery, 'limit'>) =>
          (await store.exportEvents({ ...query, limit: 100 })).map((e) => e.webhookId);
        expect(await ids({ types: ['membership.activated'] })).toEqual([
          'msg_01',
          'msg_03',
          'msg_05',
          'msg_07',
          'msg_09',
          'msg_11',
        ]);
        expect(await ids({ statuses: ['quarantined'] })).toEqual(['msg_00', 'msg_03', 'msg_06', 'msg_09']);
        expect(await ids({ types: ['payment.succeeded'], statuses: ['quarantined'] })).toEqual([
          'msg_00',
          'msg_06',
        ]);
        expect(await ids({ since: t0 + 30, until: t0 + 70 })).toEqual([
          'msg_03',
          'msg_04',
          'msg_05',
          'msg_06',
        ]);
        expect(await ids({ since: t0 + 31, until: t0 + 70, statuses: ['received'] })).toEqual([
          'msg_04',
          'msg_05',
        ]);
        expect(await ids({ since: t0 + 70, until: t0 + 70 })).toEqual([]);
        expect(await ids({ types: ['unknown.type'] })).toEqual([]);
        expect(
          await ids({
            types: ['unknown.type', 'membership.activated'],
            statuses: ['quarantined', 'processed'],
          }),
        ).toEqual(['msg_03', 'msg_09']);
      });

      it('pages through many rows sharing milliseconds without skipping or repeating one', async () => {
        // 1 234 events over 97 distinct milliseconds, inserted in a shuffled order.
        const all = Array.from({ length: 1234 }, (_, i) => ({
          id: `msg_${(i * 7919) % 1234}`,
          at: t0 + ((i * 31) % 97),
        }));
        for (let i = 0; i < all.length; i += 200) {
          await Promise.all(
            all.slice(i, i + 200).map((e) => store.insertDelivery(delivery(e.id, { receivedAt: e.at }))),
          );
        }
        const expected = [...all]
          .sort((a, b) => a.at - b.at || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)))
          .map((e) => e.id);
        const { events, pages } = await exportAll(store, { limit: 100 });
        expect(events.map((e) => e.webhookId)).toEqual(expected);
        expect(pages).toBe(13);
        const at = new Map(all.map((e) => [e.id, e.at]));
        const inWindow = expected.filter((id) => at.get(id)! >= t0 + 10 && at.get(id)! < t0 + 20);
        expect(inWindow.length).toBeGreaterThan(100);
        const filtered = await exportAll(store, { since: t0 + 10, until: t0 + 20, limit: 7 });
        expect(filtered.events.map((e) => e.webhookId)).toEqual(inWindow);
      });
    });

    describe('claims and settlement', () => {
      it('leases a due event to one worker until the lease expires, counting attempts', async () => {
        await store.insertDelivery(delivery('msg_1'));
        const first = await store.claimDue('w1', t0 + 10, 1000, 10);
        expect(first.map((c) => [c.webhookId, c.claimedBy, c.attempts, c.leaseUntil])).toEqual([
          ['msg_1', 'w1', 1, t0 + 1010],
        ]);
        expect(first[0]!.body.toString()).toBe('{"id":"msg_1"}');
        expect(await store.claimDue('w2', t0 + 500, 1000, 10)).toEqual([]);
        const taken = await store.claimDue('w2', t0 + 1010, 1000, 10);
        expect(taken.map((c) => [c.webhookId, c.claimedBy, c.attempts])).toEqual([['msg_1', 'w2', 2]]);
        // The first worker lost its lease: its late settlement is refused.
        expect(await store.settle('msg_1', 'w1', { status: 'processed', effects: {} }, t0 + 1100)).toBe(
          false,
        );
        expect(await store.settle('msg_1', 'w2', { status: 'processed', effects: {} }, t0 + 1200)).toBe(true);
        expect(await store.getEvent('msg_1')).toMatchObject({
          status: 'processed',
          processedAt: t0 + 1200,
          attempts: 2,
          nextAttemptAt: null,
        });
        expect(await store.claimDue('w3', t0 + 10_000_000, 1000, 10)).toEqual([]);
      });

      it('counts a settlement only for the claim that made it, not a later claim by the same worker', async () => {
        await store.insertDelivery(delivery('msg_reclaimed'));
        const [old] = await store.claimDue('w1', t0 + 10, 100, 10);
        const [renewed] = await store.claimDue('w1', t0 + 200, 100, 10);
        expect([old?.attempts, renewed?.attempts]).toEqual([1, 2]);
        const processed = { status: 'processed', effects: {} } as const;
        expect(await store.settle('msg_reclaimed', 'w1', processed, t0 + 250, old!.attempts)).toBe(false);
        expect((await store.getEvent('msg_reclaimed'))?.status).toBe('received');
        expect(await store.settle('msg_reclaimed', 'w1', processed, t0 + 250, renewed!.attempts)).toBe(true);
        expect((await store.getEvent('msg_reclaimed'))?.status).toBe('processed');
      });

      it("writes each claim's attempt before handing the event out, and marks failed one claimed maxAttempts times unsettled", async () => {
        await store.insertDelivery(delivery('msg_crashy'));
        // Three claims whose leases run out unsettled, as when the processor crashes each time.
        for (let i = 1; i <= 3; i++) {
          const claimed = await store.claimDue('w', t0 + i * 1000, 100, 10, 3);
          expect(claimed.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_crashy', i]]);
          // On disk already, before any settlement: a crash in the handler cannot lose it.
          expect(await store.getEvent('msg_crashy')).toMatchObject({ status: 'received', attempts: i });
        }
        expect(await store.claimDue('w', t0 + 10_000, 100, 10, 3)).toEqual([]);
        expect(await store.getEvent('msg_crashy')).toMatchObject({
          status: 'failed',
          attempts: 3,
          nextAttemptAt: null,
          lastError:
            'claimed 3 times without being settled: the processor crashed or stalled on it each time; requeue it once fixed',
        });
        expect(await nextDueAt(store)).toBeNull();
        // The last holder comes back too late: its settlement is refused.
        const processed = { status: 'processed', effects: {} } as const;
        expect(await store.settle('msg_crashy', 'w', processed, t0 + 10_001, 3)).toBe(false);
        expect(await store.claimDue('w', t0 + 20_000, 100, 10, 3)).toEqual([]);
        // A requeue (once the cause is fixed) gives it a fresh start.
        expect(await store.requeue('msg_crashy', t0 + 30_000)).toBe(true);
        const again = await store.claimDue('w2', t0 + 30_000, 100, 10, 3);
        expect(again.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_crashy', 1]]);
      });

      it('does not claim an event before it is due and respects the limit', async () => {
        await store.insertDelivery(delivery('msg_a', { receivedAt: t0 }));
        await store.insertDelivery(delivery('msg_b', { receivedAt: t0 + 1 }));
        await store.insertDelivery(delivery('msg_c', { receivedAt: t0 + 100 }));
        expect(await nextDueAt(store)).toBe(t0);
        const claimed = await store.claimDue('w1', t0 + 50, 1000, 1);
        expect(claimed.map((c) => c.webhookId)).toEqual(['msg_a']);
        const rest = await store.claimDue('w1', t0 + 50, 1000, 10);
        expect(rest.map((c) => c.webhookId)).toEqual(['msg_b']);
      });

      it('applies a lesson completion in the same transaction as marking the event processed', async () => {
        await store.insertDelivery(delivery('msg_1'));
        await store.claimDue('w1', t0, 1000, 10);
        const completion = { userId: 'user_1', courseId: 'cors_1', lessonId: 'lesn_1', completedAt: t0 - 5 };
        // A worker that does not hold the lease writes nothing, effects included.
        expect(
          await store.settle(
            'msg_1',
            'w2',
            { status: 'processed', effects: { lessonCompletions: [completion] } },
            t0,
          ),
        ).toBe(false);
        expect(await allProgress(store.reader(lessonProgress))).toEqual([]);
        expect(
          await store.settle(
            'msg_1',
            'w1',
            { status: 'processed', effects: { lessonCompletions: [completion] } },
            t0,
          ),
        ).toBe(true);
        expect(await allProgress(store.reader(lessonProgress))).toEqual([
          {
            userId: 'user_1',
            courseId: 'cors_1',
            completedLessons: 1,
            lessonIds: ['lesn_1'],
            lastCompletedAt: t0 - 5,
          },
        ]);
      });

      it('schedules a failed event for retry and never retries one settled without a next attempt', async () => {
        await store.insertDelivery(delivery('msg_retry'));
        await store.insertDelivery(delivery('msg_dead'));
        await store.claimDue('w1', t0, 1000, 10);
        await store.settle(
          'msg_retry',
          'w1',
          { status: 'failed', error: 'boom', nextAttemptAt: t0 + 5000 },
          t0,
        );
        await store.settle('msg_dead', 'w1', { status: 'failed', error: 'gave up', nextAttemptAt: null }, t0);
        expect(await store.getEvent('msg_retry')).toMatchObject({
          status: 'failed',
          lastError: 'boom',
          attempts: 1,
          nextAttemptAt: t0 + 5000,
        });
        expect(await nextDueAt(store)).toBe(t0 + 5000);
        expect(await store.claimDue('w1', t0 + 4999, 1000, 10)).toEqual([]);
        const retry = await store.claimDue('w1', t0 + 5000, 1000, 10);
        expect(retry.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_retry', 2]]);
        expect((await store.getEvent('msg_dead'))!.lastError).toBe('gave up');
      });

      it('settles an event as quarantined or unhandled', async () => {
        await store.insertDelivery(delivery('msg_q'));
        await store.insertDelivery(delivery('msg_u'));
        await store.claimDue('w1', t0, 1000, 10);
        const errors = [{ pointer: '', message: 'must have required property id' }];
        expect(await store.settle('msg_q', 'w1', { status: 'quarantined', errors }, t0)).toBe(true);
        expect(await store.settle('msg_u', 'w1', { status: 'unhandled' }, t0)).toBe(true);
        expect(await store.getEvent('msg_q')).toMatchObject({ status: 'quarantined', errors });
        expect((await store.getEvent('msg_u'))!.status).toBe('unhandled');
      });

      it('keeps a NUL in quarantine errors as U+FFFD, on arrival and when a replay settles', async () => {
        const withNul = [{ pointer: '/a\u0000b', message: 'bad \u0000 value' }];
        const kept = [{ pointer: '/a\uFFFDb', message: 'bad \uFFFD value' }];
        await store.insertDelivery(delivery('msg_arrived', { status: 'quarantined', errors: withNul }));
        await store.insertDelivery(delivery('msg_replayed'));
        await store.claimDue('w1', t0, 1000, 10);
        expect(await store.settle('msg_replayed', 'w1', { status: 'quarantined', errors: withNul }, t0)).toBe(
          true,
        );
        expect(await store.getEvent('msg_arrived')).toMatchObject({ status: 'quarantined', errors: kept });
        expect(await store.getEvent('msg_replayed')).toMatchObject({ status: 'quarantined', errors: kept });
      });

      it('requeues any stored event as received with attempts reset', async () => {
        await store.insertDelivery(delivery('msg_1'));
        await store.claimDue('w1', t0, 1000, 10);
        await store.settle('msg_1', 'w1', { status: 'processed', effects: {} }, t0);
        expect(await store.requeue('msg_1', t0 + 50)).toBe(true);
        expect(await store.getEvent('msg_1')).toMatchObject({
          status: 'received',
          attempts: 0,
          nextAttemptAt: t0 + 50,
        });
        const again = await store.claimDue('w1', t0 + 50, 1000, 10);
        expect(again.map((c) => c.webhookId)).toEqual(['msg_1']);
        expect(await store.requeue('msg_missing', t0)).toBe(false);
      });

      it("hands a delivery's traceparent to each claim of its event, fresh and read back, and none where none was stored", async () => {
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        await store.insertDelivery(delivery('msg_traced', { traceparent }));
        await store.insertDelivery(delivery('msg_plain'));
        const first = await store.claimDue('w1', t0, 1000, 10);
        const byId = (claims: typeof first) => new Map(claims.map((c) => [c.webhookId, c.traceparent]));
        expect(byId(first)).toEqual(
          new Map([
            ['msg_traced', traceparent],
            ['msg_plain', undefined],
          ]),
        );
        // A requeue makes the stores read the rows back from the database.
        await store.settle('msg_traced', 'w1', { status: 'processed', effects: {} }, t0, 1);
        await store.settle('msg_plain', 'w1', { status: 'processed', effects: {} }, t0, 1);
        await store.requeue('msg_traced', t0 + 10);
        await store.requeue('msg_plain', t0 + 10);
        expect(byId(await store.claimDue('w1', t0 + 10, 1000, 10))).toEqual(
          new Map([
            ['msg_traced', traceparent],
            ['msg_plain', undefined],
          ]),
        );
      });
    });

    describe('lesson progress', () => {
      async function applyAll(
        completions: { lessonId: string; at: number; userId?: string; courseId?: string }[],
      ) {
        for (const [i, c] of completions.entries()) {
          const id = `msg_p${i}_${c.lessonId}_${c.at}`;
          await store.insertDelivery(delivery(id));
          await store.claimDue('w', t0 + 1_000_000, 1000, 100);
          await store.settle(
            id,
            'w',
            {
              status: 'processed',
              effects: {
                lessonCompletions: [
                  {
                    userId: c.userId ?? 'user_1',
                    courseId: c.courseId ?? 'cors_1',
                    lessonId: c.lessonId,
                    completedAt: c.at,
                  },
                ],
              },
            },
            t0,
          );
        }
      }

      it('counts each lesson once, keeps its earliest completion and filters by user and course', async () => {
        await applyAll([
          { lessonId: 'lesn_b', at: t0 + 20 },
          { lessonId: 'lesn_a', at: t0 + 10 },
          { lessonId: 'lesn_b', at: t0 + 5 },
          { lessonId: 'lesn_a', at: t0 + 10 },
          { lessonId: 'lesn_x', at: t0 + 1, userId: 'user_2' },
          { lessonId: 'lesn_y', at: t0 + 2, courseId: 'cors_2' },
        ]);
        expect(
          await allProgress(store.reader(lessonProgress), { userId: 'user_1', courseId: 'cors_1' }),
        ).toEqual([
          {
            userId: 'user_1',
            courseId: 'cors_1',
            completedLessons: 2,
            lessonIds: ['lesn_b', 'lesn_a'],
            lastCompletedAt: t0 + 10,
          },
        ]);
        expect(
          (await allProgress(store.reader(lessonProgress), { userId: 'user_1' })).map((p) => p.courseId),
        ).toEqual(['cors_1', 'cors_2']);
        expect(
          (await allProgress(store.reader(lessonProgress), { courseId: 'cors_1' })).map((p) => p.userId),
        ).toEqual(['user_1', 'user_2']);
        expect(await allProgress(store.reader(lessonProgress))).toHaveLength(3);
        expect(await allProgress(store.reader(lessonProgress), { userId: 'user_nobody' })).toEqual([]);
      });

      it('pages progress by (user, course) pair with an opaque cursor, filters included', async () => {
        await applyAll([
          { lessonId: 'lesn_a', at: t0 + 1 },
          { lessonId: 'lesn_b', at: t0 + 2 },
          { lessonId: 'lesn_c', at: t0 + 3, courseId: 'cors_2' },
          { lessonId: 'lesn_d', at: t0 + 4, userId: 'user_2' },
        ]);
        const first = await store.reader(lessonProgress).listProgress({ limit: 2 });
        expect(first.progress.map((p) => [p.userId, p.courseId, p.lessonIds])).toEqual([
          ['user_1', 'cors_1', ['lesn_a', 'lesn_b']],
          ['user_1', 'cors_2', ['lesn_c']],
        ]);
        expect(first.nextCursor).toEqual(expect.any(String));
        const second = await store
          .reader(lessonProgress)
          .listProgress({ limit: 2, cursor: first.nextCursor! });
        expect(second.progress.map((p) => [p.userId, p.courseId])).toEqual([['user_2', 'cors_1']]);
        expect(second.nextCursor).toBeNull();
        // A page may end between two courses of one user: the next starts at the user's next course.
        const one = await store.reader(lessonProgress).listProgress({ limit: 1 });
        const next = await store.reader(lessonProgress).listProgress({ limit: 1, cursor: one.nextCursor! });
        expect(next.progress.map((p) => [p.userId, p.courseId])).toEqual([['user_1', 'cors_2']]);
        const filtered = await store.reader(lessonProgress).listProgress({ limit: 1, courseId: 'cors_1' });
        expect(filtered.progress.map((p) => p.userId)).toEqual(['user_1']);
        const rest = await store
          .reader(lessonProgress)
          .listProgress({ limit: 1, courseId: 'cors_1', cursor: filtered.nextCursor! });
        expect(rest.progress.map((p) => p.userId)).toEqual(['user_2']);
        await expect(
          store.reader(lessonProgress).listProgress({ limit: 1, cursor: 'bm9wZQ' }),
        ).rejects.toMatchObject({
          code: 'invalid_cursor',
        });
      });

      it('starts the first page before every pair, even ids that are empty or sort before letters', async () => {
        await applyAll([
          { lessonId: 'lesn_a', at: t0 + 1, userId: 'Ann', courseId: 'cors_1' },
          { lessonId: 'lesn_b', at: t0 + 2, userId: '', courseId: '0' },
          { lessonId: 'lesn_c', at: t0 + 3, userId: '', courseId: '' },
        ]);
        const page = await store.reader(lessonProgress).listProgress({ limit: 10 });
        expect(page.progress.map((p) => [p.userId, p.courseId, p.lessonIds])).toEqual([
          ['', '', ['lesn_c']],
          ['', '0', ['lesn_b']],
          ['Ann', 'cors_1', ['lesn_a']],
        ]);
        expect(page.nextCursor).toBeNull();
      });
    });

    describe('health and lifecycle', () => {
      it('answers ping while open and refuses work after close with store_closed', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toBeInstanceOf(StoreError);
        await expect(store.insertDelivery(delivery('msg_late'))).rejects.toMatchObject({
          code: 'store_closed',
        });
      });

      it('commits queued deliveries before close resolves', async () => {
        const pending = store.insertDelivery(delivery('msg_last'));
        await store.close();
        await expect(pending).resolves.toMatchObject({ inserted: true });
      });
    });
  });
}
