// The forwarder's window over a real (SQLite) outbox, with a destination whose acks the test
// releases by hand: what is settled when, what is claimed while acks are outstanding, a failure in
// the middle of a window, stop() during a window, and leases that run out while an ack is awaited.
import { eventually } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { NewDelivery } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import type { Destination, ForwardMessage, PublishResult } from './Destination.js';
import { Forwarder } from './Forwarder.js';
import { ForwardWindow } from './ForwardWindow.js';
import type { ForwardOutbox, OutboxItem, OutboxOutcome } from './outbox/ForwardOutbox.js';

/** A destination whose publishes wait until the test answers them. */
class ManualDestination implements Destination {
  readonly name = 'nats';
  readonly types = null;
  readonly waiting = new Map<string, (result: PublishResult) => void>();
  readonly published: string[] = [];
  mostAtOnce = 0;
  constructor(readonly concurrency: number) {}
  async connect(): Promise<void> {}
  publish(m: ForwardMessage): Promise<PublishResult> {
    this.published.push(m.webhookId);
    this.mostAtOnce = Math.max(this.mostAtOnce, this.waiting.size + 1);
    return new Promise((resolve) => this.waiting.set(m.webhookId, resolve));
  }
  /** Answers the publishes of `ids` (each must be waiting). */
  answer(ids: readonly string[], result: PublishResult = { ok: true, duplicate: false }): void {
    for (const id of ids) {
      const resolve = this.waiting.get(id);
      if (resolve === undefined) throw new Error(`${id} is not waiting for an ack`);
      this.waiting.delete(id);
      resolve(result);
    }
  }
  async close(): Promise<void> {}
}

/** The outbox with a log of its claims and settles, in the order they happened. */
function recorded(outbox: ForwardOutbox) {
  const log: Array<
    { op: 'claim'; ids: string[]; acksOutstanding: number } | { op: 'settle'; ids: string[] }
  > = [];
  let outstanding = () => 0;
  const wrapped: ForwardOutbox = {
    ...outbox,
    claim: async (...args) => {
      const acksOutstanding = outstanding();
      const items = await outbox.claim(...args);
      if (items.length > 0) log.push({ op: 'claim', ids: items.map((i) => i.webhookId), acksOutstanding });
      return items;
    },
    settle: async (owner, outcomes) => {
      log.push({ op: 'settle', ids: outcomes.map((o) => o.webhookId) });
      await outbox.settle(owner, outcomes);
    },
  };
  return { wrapped, log, watch: (d: ManualDestination) => (outstanding = () => d.waiting.size) };
}

function delivery(webhookId: string): NewDelivery {
  return {
    webhookId,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(`{"id":"${webhookId}","type":"payment.succeeded"}`),
    headers: {},
    errors: null,
    receivedAt: Date.now(),
  };
}

const ids = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('the forwarding window', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function storeWith(webhookIds: readonly string[]): Promise<SqliteStore> {
    const store = new SqliteStore({
      filename: ':memory:',
      outboxRoutes: [{ destination: 'nats', types: null }],
    });
    cleanups.push(() => store.close());
    for (const id of webhookIds) await store.insertDelivery(delivery(id));
    return store;
  }

  function forwarder(
    outbox: ForwardOutbox,
    destination: Destination,
    options: { leaseMs?: number; owner?: string } = {},
  ) {
    const f = new Forwarder({
      outbox,
      destinations: [destination],
      logger: silentLogger(),
      idleMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 20,
      ...options,
    });
    f.start();
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await f.stop();
    });
    return {
      forwarder: f,
      stop: async () => {
        stopped = true;
        await f.stop();
      },
    };
  }

  const stateOf = async (store: SqliteStore, id: string) => (await store.outbox!.deliveriesOf(id))[0];

  it('settles each row only after its ack, and claims the next page while earlier acks are outstanding', async () => {
    const store = await storeWith(ids(12));
    const destination = new ManualDestination(8);
    const { wrapped, log, watch } = recorded(store.outbox!);
    watch(destination);
    forwarder(wrapped, destination);
    await eventually('a full window', () => (destination.waiting.size === 8 ? true : undefined));
    const first = [...destination.published];
    expect(log).toEqual([{ op: 'claim', ids: first, acksOutstanding: 0 }]);

    destination.answer(first.slice(0, 2));
    // Two rows settled free two places: two more rows are claimed while six acks are outstanding.
    await eventually('the next claim', () => (destination.waiting.size === 8 ? true : undefined));
    const second = destination.published.slice(8);
    expect(second).toHaveLength(2);
    expect(second.some((id) => first.includes(id))).toBe(false);
    expect(log.slice(1)).toEqual([
      { op: 'settle', ids: first.slice(0, 2) },
      { op: 'claim', ids: second, acksOutstanding: 6 },
    ]);
    expect((await stateOf(store, first[0]!))?.state).toBe('forwarded');
    expect((await stateOf(store, first[2]!))?.state).toBe('pending');

    destination.answer([...first.slice(2), ...second]);
    await eventually('the last rows', () => (destination.waiting.size === 2 ? true : undefined));
    destination.answer([...destination.waiting.keys()]);
    await eventually('every row forwarded', async () => {
      const states = await Promise.all(ids(12).map((id) => stateOf(store, id)));
      return states.every((s) => s?.state === 'forwarded') ? true : undefined;
    });
    // Never more rows in flight than the window, each published once, none settled before its ack.
    expect(destination.mostAtOnce).toBe(8);
    expect([...destination.published].sort()).toEqual([...ids(12)].sort());
    const settled = log.flatMap((e) => (e.op === 'settle' ? e.ids : []));
    expect([...settled].sort()).toEqual([...ids(12)].sort());
  });

  it('settles the rest of a window as forwarded when one ack in its middle fails, and retries that one', async () => {
    const store = await storeWith(ids(5));
    const destination = new ManualDestination(8);
    forwarder(store.outbox!, destination);
    await eventually('the window', () => (destination.waiting.size === 5 ? true : undefined));
    destination.answer(['m0', 'm1']);
    destination.answer(['m2'], { ok: false, error: 'NATS: TIMEOUT' });
    destination.answer(['m3', 'm4']);
    await eventually('the retry of m2', () => (destination.waiting.has('m2') ? true : undefined));
    for (const id of ['m0', 'm1', 'm3', 'm4'])
      expect(await stateOf(store, id)).toMatchObject({ state: 'forwarded', attempts: 1 });
    expect(destination.published.filter((id) => id === 'm2')).toHaveLength(2);
    destination.answer(['m2']);
    const m2 = await eventually('m2 forwarded', async () => {
      const state = await stateOf(store, 'm2');
      return state?.state === 'forwarded' ? state : undefined;
    });
    expect([m2.attempts, m2.lastError]).toEqual([2, null]);
  });

  it('stop() during a window waits for the acks in flight and their settle, and claims nothing more', async () => {
    const store = await storeWith(ids(12));
    const destination = new ManualDestination(8);
    const { stop } = forwarder(store.outbox!, destination);
    await eventually('a full window', () => (destination.waiting.size === 8 ? true : undefined));
    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    const inFlight = [...destination.waiting.keys()];
    destination.answer(inFlight.slice(0, 4));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    destination.answer(inFlight.slice(4));
    await stopping;
    for (const id of inFlight) expect((await stateOf(store, id))?.state).toBe('forwarded');
    // The rows never claimed are untouched: no attempt counted, no lease held.
    const untouched = ids(12).filter((id) => !inFlight.includes(id));
    expect(untouched).toHaveLength(4);
    for (const id of untouched)
      expect(await stateOf(store, id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(destination.published).toEqual(inFlight);
  });

  it('publishes a row once while its ack is outstanding, even after its lease runs out and it is claimed again', async () => {
    const store = await storeWith(['m0']);
    const destination = new ManualDestination(8);
    forwarder(store.outbox!, destination, { leaseMs: 20 });
    await eventually('the publish', () => (destination.waiting.size === 1 ? true : undefined));
    // Each claim after the lease ran out takes the row again (counting an attempt) but does not publish it.
    await eventually('a claim after the lease', async () =>
      ((await stateOf(store, 'm0'))?.attempts ?? 0) >= 3 ? true : undefined,
    );
    expect(destination.published).toEqual(['m0']);
    destination.answer(['m0']);
    await eventually('m0 forwarded', async () =>
      (await stateOf(store, 'm0'))?.state === 'forwarded' ? true : undefined,
    );
  });

  it('lets another forwarder take over a row whose lease ran out, and ignores the late ack of the first', async () => {
    const store = await storeWith(['m0']);
    const slow = new ManualDestination(8);
    forwarder(store.outbox!, slow, { leaseMs: 30, owner: 'slow' });
    await eventually('the slow publish', () => (slow.waiting.size === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 40));
    const quick = new ManualDestination(8);
    forwarder(store.outbox!, quick, { leaseMs: 60_000, owner: 'quick' });
    await eventually('the takeover', () => (quick.waiting.size === 1 ? true : undefined));
    quick.answer(['m0']);
    const forwarded = await eventually('forwarded by the second', async () => {
      const state = await stateOf(store, 'm0');
      return state?.state === 'forwarded' ? state : undefined;
    });
    // The first forwarder's failure arrives late: its lease is gone, so the outcome stands.
    slow.answer(['m0'], { ok: false, error: 'NATS: TIMEOUT' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stateOf(store, 'm0')).toEqual(forwarded);
  });
});

describe('ForwardWindow', () => {
  const item = (webhookId: string): OutboxItem => ({
    webhookId,
    destination: 'nats',
    type: 'payment.succeeded',
    body: Buffer.from('{}'),
    attempts: 1,
  });
  const forwarded = (webhookId: string): OutboxOutcome => ({
    webhookId,
    destination: 'nats',
    state: 'forwarded',
    at: 1,
  });

  it('writes outcomes that arrive while a settle runs in the next batch, one settle at a time', async () => {
    const batches: string[][] = [];
    let finishSettle: () => void = () => {};
    let running = 0;
    let mostRunning = 0;
    const window = new ForwardWindow({
      size: 4,
      settle: async (outcomes) => {
        batches.push(outcomes.map((o) => o.webhookId));
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await new Promise<void>((resolve) => {
          finishSettle = resolve;
        });
        running -= 1;
      },
      onSettleError: () => {},
      onPublishError: () => {},
    });
    const acks = new Map<string, () => void>();
    window.admit(
      ['a', 'b', 'c', 'd'].map(item),
      (i) => new Promise((resolve) => acks.set(i.webhookId, () => resolve(forwarded(i.webhookId)))),
    );
    expect(window.free).toBe(0);
    acks.get('a')!();
    await eventually('the first settle', () => (batches.length === 1 ? true : undefined));
    acks.get('b')!();
    acks.get('c')!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([['a']]);
    finishSettle();
    await eventually('the second settle', () => (batches.length === 2 ? true : undefined));
    expect(batches[1]).toEqual(['b', 'c']);
    expect(window.free).toBe(1);
    finishSettle();
    acks.get('d')!();
    await eventually('the third settle', () => (batches.length === 3 ? true : undefined));
    finishSettle();
    await window.drained();
    expect([window.free, mostRunning]).toEqual([4, 1]);
  });

  it('frees the places of a failed settle and of a publish that threw, leaving those rows to their lease', async () => {
    const errors: string[] = [];
    const window = new ForwardWindow({
      size: 2,
      settle: async () => {
        throw new Error('disk full');
      },
      onSettleError: (error) => errors.push((error as Error).message),
      onPublishError: (error, i) => errors.push(`${i.webhookId}: ${(error as Error).message}`),
    });
    window.admit([item('a'), item('b')], async (i) => {
      if (i.webhookId === 'b') throw new Error('bug');
      return forwarded(i.webhookId);
    });
    await window.drained();
    expect(errors.sort()).toEqual(['b: bug', 'disk full']);
    expect(window.free).toBe(2);
  });

  it('refuses a window of no rows', () => {
    expect(
      () =>
        new ForwardWindow({
          size: 0,
          settle: async () => {},
          onSettleError: () => {},
          onPublishError: () => {},
        }),
    ).toThrow('a forward window holds at least 1 row, got 0');
  });
});
