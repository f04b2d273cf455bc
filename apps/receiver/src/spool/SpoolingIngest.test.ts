import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import type { InsertOutcome, NewDelivery } from '../store/core/Store.js';
import { Spool } from './Spool.js';
import { SpoolingIngest } from './SpoolingIngest.js';
import { SpoolMetrics } from './SpoolMetrics.js';

let dir: string;
let spool: Spool;

beforeEach(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spool-ingest-')), 'spool');
  ({ spool } = await Spool.open({ dir, maxBytes: 1024 * 1024 }));
});
afterEach(async () => {
  await spool.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const delivery: NewDelivery = {
  webhookId: 'msg_1',
  type: 'payment.succeeded',
  status: 'received',
  body: Buffer.from('{"type":"payment.succeeded"}'),
  headers: { 'webhook-id': 'msg_1' },
  errors: null,
  receivedAt: 1_700_000_000_000,
};

/** A store whose insertDelivery answers with what the test puts in `next`. */
function storeAnswering(next: () => Promise<InsertOutcome>) {
  const calls: NewDelivery[] = [];
  return {
    calls,
    insertDelivery(d: NewDelivery) {
      calls.push(d);
      return next();
    },
  };
}

const stored: InsertOutcome = { inserted: true, status: 'received', deliveriesSeen: 1 };

describe('SpoolingIngest', () => {
  it('answers with the store when it commits in time, and spools nothing', async () => {
    const ingest = new SpoolingIngest({
      store: storeAnswering(async () => stored),
      spool,
      spoolAfterMs: 1000,
    });
    await expect(ingest.insertDelivery(delivery)).resolves.toEqual(stored);
    expect(spool.depth).toBe(0);
  });

  it('spools a delivery the store cannot take, and answers it as stored', async () => {
    const metrics = new SpoolMetrics(new Registry(), spool);
    const ingest = new SpoolingIngest({
      store: storeAnswering(() => Promise.reject(new StoreError('store_unavailable', 'connection refused'))),
      spool,
      spoolAfterMs: 60_000,
      metrics,
    });
    await expect(ingest.insertDelivery(delivery)).resolves.toEqual(stored);
    expect(spool.depth).toBe(1);
    expect((await metrics.spooled.get()).values[0]?.value).toBe(1);
    expect((await spool.next(1))[0]?.delivery).toEqual(delivery);
  });

  it('spools a delivery the store has not committed within spoolAfterMs', async () => {
    const ingest = new SpoolingIngest({
      store: storeAnswering(() => new Promise(() => {})),
      spool,
      spoolAfterMs: 20,
    });
    await expect(ingest.insertDelivery(delivery)).resolves.toEqual(stored);
    expect(spool.depth).toBe(1);
  });

  it('marks the spooled copy stored when the late store attempt commits after all', async () => {
    let commit: (outcome: InsertOutcome) => void = () => {};
    const late = new Promise<InsertOutcome>((resolve) => {
      commit = resolve;
    });
    const ingest = new SpoolingIngest({ store: storeAnswering(() => late), spool, spoolAfterMs: 20 });
    await ingest.insertDelivery(delivery);
    expect(spool.depth).toBe(1);
    commit(stored);
    await late;
    await new Promise((resolve) => setImmediate(resolve));
    expect(spool.depth).toBe(0);
    expect(await spool.next(10)).toEqual([]);
  });

  it('passes a refusal for the data on and spools nothing', async () => {
    const refusal = new StoreError('unstorable_delivery', 'invalid byte sequence');
    const ingest = new SpoolingIngest({
      store: storeAnswering(() => Promise.reject(refusal)),
      spool,
      spoolAfterMs: 1000,
    });
    await expect(ingest.insertDelivery(delivery)).rejects.toBe(refusal);
    expect(spool.depth).toBe(0);
  });

  it('answers a copy of a spooled delivery as a duplicate without asking the store', async () => {
    const store = storeAnswering(() => Promise.reject(new StoreError('store_overloaded', 'queue full')));
    const ingest = new SpoolingIngest({ store, spool, spoolAfterMs: 1000 });
    await ingest.insertDelivery(delivery);
    await expect(ingest.insertDelivery(delivery)).resolves.toEqual({
      inserted: false,
      status: 'received',
      deliveriesSeen: 2,
    });
    expect(store.calls).toHaveLength(1);
  });

  it('answers store_unavailable when the spool is full as well', async () => {
    await spool.close();
    fs.rmSync(dir, { recursive: true, force: true });
    ({ spool } = await Spool.open({ dir, maxBytes: 100 }));
    const ingest = new SpoolingIngest({
      store: storeAnswering(() => Promise.reject(new StoreError('store_unavailable', 'down'))),
      spool,
      spoolAfterMs: 1000,
    });
    const error = await ingest.insertDelivery(delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('store_unavailable');
    expect((error as StoreError).message).toMatch(/SPOOL_MAX_BYTES/);
  });
});
