import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually } from '@webhook-contracts/test-kit';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import type { InsertOutcome, NewDelivery } from '../store/core/Store.js';
import { Spool } from './Spool.js';
import { SpoolDrainer } from './SpoolDrainer.js';
import { SpoolMetrics } from './SpoolMetrics.js';

/** A store that keeps rows by webhook-id, and fails while `failing` says so. */
class FakeStore {
  readonly rows = new Map<string, { delivery: NewDelivery; seen: number }>();
  calls = 0;
  failing: (delivery: NewDelivery) => unknown = () => undefined;

  async insertDelivery(delivery: NewDelivery): Promise<InsertOutcome> {
    this.calls++;
    const failure = this.failing(delivery);
    if (failure !== undefined) throw failure;
    const row = this.rows.get(delivery.webhookId);
    if (row !== undefined) {
      row.seen++;
      return { inserted: false, status: row.delivery.status, deliveriesSeen: row.seen };
    }
    this.rows.set(delivery.webhookId, { delivery, seen: 1 });
    return { inserted: true, status: delivery.status, deliveriesSeen: 1 };
  }
}

/** Waits until `holds` is true (the test kit's eventually, for a plain condition). */
const until = (what: string, holds: () => boolean) => eventually(what, () => holds() || undefined, 10_000);

let dir: string;
let spool: Spool;
let drainer: SpoolDrainer | undefined;

beforeEach(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spool-drain-')), 'spool');
  ({ spool } = await Spool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 4096 }));
});
afterEach(async () => {
  await drainer?.stop();
  drainer = undefined;
  await spool.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

function delivery(i: number): NewDelivery {
  return {
    webhookId: `msg_${i}`,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(JSON.stringify({ id: `msg_${i}` })),
    headers: { 'webhook-id': `msg_${i}` },
    errors: null,
    receivedAt: 1_700_000_000_000 + i,
  };
}

function start(store: FakeStore, extra: { onDrained?: () => void; metrics?: SpoolMetrics } = {}) {
  drainer = new SpoolDrainer({
    spool,
    store,
    batchSize: 7,
    minBackoffMs: 5,
    maxBackoffMs: 20,
    idleMs: 20,
    ...extra,
  });
  drainer.start();
  return drainer;
}

describe('SpoolDrainer', () => {
  it('moves every spooled delivery into the store, oldest first, and empties the spool', async () => {
    for (let i = 1; i <= 30; i++) await spool.append(delivery(i));
    const store = new FakeStore();
    const order: string[] = [];
    const original = store.insertDelivery.bind(store);
    store.insertDelivery = (d) => {
      order.push(d.webhookId);
      return original(d);
    };
    let wakes = 0;
    start(store, { onDrained: () => wakes++ });
    await until('the spool is drained', () => spool.depth === 0);
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => `msg_${i + 1}`));
    expect(store.rows.get('msg_17')?.delivery).toEqual(delivery(17));
    // 30 records in batches of 7.
    expect(wakes).toBe(5);
    await until('the drained segments are deleted', () => spool.bytes === 0);
  });

  it('keeps records spooled while the store fails, and drains them once it answers', async () => {
    for (let i = 1; i <= 10; i++) await spool.append(delivery(i));
    const store = new FakeStore();
    store.failing = () => new StoreError('store_unavailable', 'down');
    start(store);
    await until('the drainer has retried', () => store.calls > 20);
    expect(spool.depth).toBe(10);
    expect(store.rows.size).toBe(0);
    store.failing = () => undefined;
    await until('the spool is drained', () => spool.depth === 0);
    expect([...store.rows.keys()].sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `msg_${i + 1}`).sort(),
    );
  });

  it('counts a webhook-id the store already holds as a duplicate, not a second row', async () => {
    const store = new FakeStore();
    await store.insertDelivery(delivery(1));
    await spool.append(delivery(1));
    await spool.append(delivery(2));
    const metrics = new SpoolMetrics(new Registry(), spool);
    start(store, { metrics });
    await until('the spool is drained', () => spool.depth === 0);
    expect(store.rows.size).toBe(2);
    expect(store.rows.get('msg_1')?.seen).toBe(2);
    const drained = await metrics.drained.get();
    expect(Object.fromEntries(drained.values.map((v) => [v.labels.result, v.value]))).toEqual({
      duplicate: 1,
      inserted: 1,
    });
  });

  it('drops a delivery the store refuses for its data, and drains the others past it', async () => {
    for (let i = 1; i <= 3; i++) await spool.append(delivery(i));
    const store = new FakeStore();
    store.failing = (d) =>
      d.webhookId === 'msg_2' ? new StoreError('unstorable_delivery', 'the database refuses it') : undefined;
    start(store);
    await until('the spool is drained', () => spool.depth === 0);
    expect([...store.rows.keys()]).toEqual(['msg_1', 'msg_3']);
  });

  it('drains records that arrive while it runs, without waiting for its idle poll', async () => {
    const store = new FakeStore();
    drainer = new SpoolDrainer({ spool, store, idleMs: 60_000 });
    drainer.start();
    await spool.append(delivery(1));
    await until('the new record is drained', () => store.rows.has('msg_1'));
  });

  it('resumes after a restart from what was not committed', async () => {
    for (let i = 1; i <= 5; i++) await spool.append(delivery(i));
    const store = new FakeStore();
    // msg_3 fails: msg_1 and msg_2 are committed, msg_3.. stay.
    store.failing = (d) => (d.webhookId === 'msg_3' ? new StoreError('store_unavailable', 'cut') : undefined);
    const first = start(store);
    await until('all but msg_3 are drained', () => spool.depth === 1);
    await first.stop();
    drainer = undefined;
    await spool.close();
    ({ spool } = await Spool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 4096 }));
    // The position could not pass msg_3, so msg_4 and msg_5 are read again: the store keeps one row each.
    expect(spool.depth).toBe(3);
    store.failing = () => undefined;
    start(store);
    await until('the spool is drained', () => spool.depth === 0);
    expect(store.rows.size).toBe(5);
    expect(store.rows.get('msg_3')?.seen).toBe(1);
  });
});
