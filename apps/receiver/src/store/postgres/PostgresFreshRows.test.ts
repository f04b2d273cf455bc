import { hostname } from 'node:os';
import type { KnownEvent } from '@webhook-contracts/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { completedEvent } from '../../test-support/signedRequest.js';
import type { NewDelivery } from '../core/Store.js';
import {
  dropSchema,
  randomSchema,
  testDatabaseUrl,
  withAdminClient,
} from '../test-support/postgresTestDatabase.js';
import { delivery } from '../test-support/storeContract.js';
import { PostgresFreshRows } from './PostgresFreshRows.js';
import { quoteIdentifier } from './PostgresMigrations.js';
import { PostgresStore } from './PostgresStore.js';

const t0 = 5_000_000;
const processed = { status: 'processed', effects: {} } as const;

function lessonDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  const event = completedEvent() as unknown as KnownEvent;
  return delivery(event.id, {
    body: Buffer.from(JSON.stringify(event)),
    event,
    receivedAt: t0,
    ...overrides,
  });
}

describe('PostgresFreshRows', () => {
  it('leases nothing at insert until a worker claims, and only received rows while there is room', () => {
    const fresh = new PostgresFreshRows('caller', { maxRows: 2, maxBytes: 100 });
    const small = (id: string, status: NewDelivery['status'] = 'received') =>
      delivery(id, { status, body: Buffer.alloc(30) });
    expect(fresh.plan([small('msg_a')]).leased).toEqual([false]);

    fresh.claiming(10_000);
    const plan = fresh.plan([small('msg_a'), small('msg_q', 'quarantined'), small('msg_b'), small('msg_c')]);
    expect(plan).toEqual({ leased: [true, false, true, false], leaseMs: 10_000 });

    fresh.created(small('msg_a'), t0 + 10_000, 10_000, 0);
    // 30 bytes wait; 30 + 80 would pass maxBytes, 30 + 70 does not.
    expect(fresh.plan([delivery('msg_big', { body: Buffer.alloc(80) })]).leased).toEqual([false]);
    expect(fresh.plan([delivery('msg_fits', { body: Buffer.alloc(70) })]).leased).toEqual([true]);
    // A row already waiting is a duplicate: the insert cannot create it again.
    expect(fresh.plan([small('msg_a')]).leased).toEqual([false]);
  });

  it('hands out due rows oldest first up to the limit, and reports the ones past half their lease', () => {
    const fresh = new PostgresFreshRows('caller');
    fresh.claiming(1000);
    fresh.created(delivery('msg_1', { receivedAt: t0 }), t0 + 1000, 1000, 0);
    fresh.created(delivery('msg_2', { receivedAt: t0 + 10 }), t0 + 10 + 1000, 1000, 0);
    fresh.created(delivery('msg_3', { receivedAt: t0 + 400 }), t0 + 400 + 1000, 1000, 0);
    fresh.created(delivery('msg_later', { receivedAt: t0 + 5000 }), t0 + 5000 + 1000, 1000, 0);

    const first = fresh.take('w1', t0 + 20, 1);
    expect(first.claimed.map((c) => [c.webhookId, c.attempts, c.claimedBy, c.leaseUntil])).toEqual([
      ['msg_1', 1, 'w1', t0 + 1000],
    ]);
    expect(first.expired).toEqual([]);
    // At t0 + 515 msg_2's lease (from t0 + 10, 1000 ms) is past its half: it is not handed out.
    const second = fresh.take('w1', t0 + 515, 10);
    expect(second.claimed.map((c) => c.webhookId)).toEqual(['msg_3']);
    expect(second.expired).toEqual(['msg_2']);
    expect(fresh.size).toBe(1);
  });

  it('names its own holder only for a settlement by the worker it handed the row to', () => {
    const fresh = new PostgresFreshRows('caller');
    fresh.claiming(1000);
    fresh.created(delivery('msg_1', { receivedAt: t0 }), t0 + 1000, 1000, 0);
    fresh.take('w1', t0, 10);
    expect(fresh.settleHolder('msg_1', 'w2')).toBe('w2');
    expect(fresh.settleHolder('msg_1', 'w1')).toBe(fresh.holder);
    expect(fresh.settleHolder('msg_other', 'w1')).toBe('w1');
    fresh.settled(['msg_1']);
    expect(fresh.settleHolder('msg_1', 'w1')).toBe('w1');
  });
});

describe('PostgresStore: rows leased at insert', () => {
  const schemas: string[] = [];
  const stores: PostgresStore[] = [];

  async function open(schema: string): Promise<PostgresStore> {
    if (!schemas.includes(schema)) schemas.push(schema);
    const store = await PostgresStore.open({
      url: testDatabaseUrl,
      schema,
      poolSize: 2,
      leaseClock: 'caller',
    });
    stores.push(store);
    return store;
  }

  async function row(schema: string, webhookId: string) {
    return withAdminClient(
      async (c) =>
        (
          await c.query<{ claimed_by: string | null; attempts: number; lease_until: string | null }>(
            `SELECT claimed_by, attempts, lease_until FROM ${quoteIdentifier(schema)}.webhook_events
             WHERE webhook_id = $1`,
            [webhookId],
          )
        ).rows[0],
    );
  }

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    for (const s of schemas.splice(0)) await dropSchema(s);
  });

  it('writes a row leased to itself while a worker claims, and hands over the validated event from memory', async () => {
    const schema = randomSchema();
    const store = await open(schema);
    const other = await open(schema);
    expect(await store.claimDue('w1', t0, 60_000, 10)).toEqual([]);
    const d = lessonDelivery();
    await store.insertDelivery(d);

    const stored = await row(schema, d.webhookId);
    expect(stored).toMatchObject({ attempts: 1, lease_until: String(t0 + 60_000) });
    // Named like a worker id: this host and process, then the store's own part.
    expect(stored!.claimed_by!.slice(0, -'store-0123abcd'.length)).toBe(`${hostname()}:${process.pid}:`);
    expect(stored!.claimed_by).toMatch(/:store-[0-9a-f]{8}$/);
    // Another instance skips it: it is leased.
    expect(await other.claimDue('w9', t0 + 1000, 60_000, 10)).toEqual([]);

    const [claim] = await store.claimDue('w1', t0, 60_000, 10);
    // The very object the HTTP layer validated: not read back and parsed again.
    expect(claim!.event).toBe(d.event);
    expect(claim).toMatchObject({
      webhookId: d.webhookId,
      attempts: 1,
      claimedBy: 'w1',
      leaseUntil: t0 + 60_000,
    });
    expect(await store.settle(d.webhookId, 'w2', processed, t0, 1)).toBe(false);
    expect(await store.settle(d.webhookId, 'w1', processed, t0, 1)).toBe(true);
    expect(await store.getEvent(d.webhookId)).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await row(schema, d.webhookId)).toMatchObject({ claimed_by: null, lease_until: null });
  });

  it('releases the rows nobody took when it closes, uncounted, for any instance to claim at once', async () => {
    const schema = randomSchema();
    const store = await open(schema);
    await store.claimDue('w1', t0, 60_000, 10);
    const d = lessonDelivery();
    await store.insertDelivery(d);
    await store.close();
    expect(await row(schema, d.webhookId)).toMatchObject({
      claimed_by: null,
      lease_until: null,
      attempts: 0,
    });

    const other = await open(schema);
    const [claim] = await other.claimDue('w2', t0, 60_000, 10);
    expect(claim).toMatchObject({ webhookId: d.webhookId, attempts: 1 });
    expect(claim!.event).toBeUndefined();
  });

  it('releases a row not handed out within half its lease and claims it from the table, counted once', async () => {
    const schema = randomSchema();
    const store = await open(schema);
    await store.claimDue('w1', t0, 1000, 10);
    const d = lessonDelivery();
    await store.insertDelivery(d);
    const [claim] = await store.claimDue('w1', t0 + 600, 1000, 10);
    expect(claim).toMatchObject({ webhookId: d.webhookId, attempts: 1, leaseUntil: t0 + 1600 });
    expect(claim!.event).toBeUndefined();
    expect(await store.settle(d.webhookId, 'w1', processed, t0 + 600, 1)).toBe(true);
  });

  it('leaves the rows of an instance that died leased until the lease runs out, then any instance takes them', async () => {
    const schema = randomSchema();
    const dying = await open(schema);
    await dying.claimDue('w1', t0, 5000, 10);
    const d = lessonDelivery();
    await dying.insertDelivery(d);

    const survivor = await open(schema);
    expect(await survivor.claimDue('w2', t0 + 4999, 5000, 10)).toEqual([]);
    const [claim] = await survivor.claimDue('w2', t0 + 5000, 5000, 10);
    // The dead instance's lease counted as an attempt, as a claim's would.
    expect(claim).toMatchObject({ webhookId: d.webhookId, attempts: 2 });
    // Closing the instance that lost it changes nothing: the row is another's claim now.
    await dying.close();
    expect(await row(schema, d.webhookId)).toMatchObject({ claimed_by: 'w2', attempts: 2 });
  });

  it('claims a retry it scheduled when it falls due, while fresh rows keep its worker busy', async () => {
    const schema = randomSchema();
    const store = await open(schema);
    await store.claimDue('w1', t0, 60_000, 10);
    const failing = lessonDelivery();
    await store.insertDelivery(failing);
    await store.claimDue('w1', t0, 60_000, 10);
    const retry = { status: 'failed', error: 'boom', nextAttemptAt: t0 + 100 } as const;
    expect(await store.settle(failing.webhookId, 'w1', retry, t0, 1)).toBe(true);

    const next = lessonDelivery({ receivedAt: t0 + 50 });
    await store.insertDelivery(next);
    expect((await store.claimDue('w1', t0 + 60, 60_000, 10)).map((c) => c.webhookId)).toEqual([
      next.webhookId,
    ]);
    const later = lessonDelivery({ receivedAt: t0 + 90 });
    await store.insertDelivery(later);
    const claimed = await store.claimDue('w1', t0 + 100, 60_000, 10);
    expect(claimed.map((c) => [c.webhookId, c.attempts])).toEqual([
      [later.webhookId, 1],
      [failing.webhookId, 2],
    ]);
  });

  it('finds rows another instance wrote unleased within a second of its clock, fresh rows or not', async () => {
    const schema = randomSchema();
    const store = await open(schema);
    const other = await open(schema);
    await store.claimDue('w1', t0, 60_000, 10);
    const theirs = lessonDelivery();
    await other.insertDelivery(theirs);
    const mine = lessonDelivery();
    await store.insertDelivery(mine);
    expect((await store.claimDue('w1', t0 + 999, 60_000, 10)).map((c) => c.webhookId)).toEqual([
      mine.webhookId,
    ]);
    const mineToo = lessonDelivery();
    await store.insertDelivery(mineToo);
    expect((await store.claimDue('w1', t0 + 1000, 60_000, 10)).map((c) => c.webhookId)).toEqual([
      mineToo.webhookId,
      theirs.webhookId,
    ]);
  });
});
