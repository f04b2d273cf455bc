import { describe, expect, it } from 'vitest';
import { StoreError } from '../../errors.js';
import { delivery } from '../test-support/storeContract.js';
import type { EventRow, ExportRow, ExportSizeRow } from './eventRow.js';
import type { PendingInsertLimits } from './PendingInsertLimit.js';
import type { ClaimedEvent } from './Store.js';
import { type ExportRowFilter, type InsertRow, type RowOutcome, StoreCore } from './StoreCore.js';

/** A dialect over a Map that records each insert statement and can refuse rows. */
class MapStore extends StoreCore {
  protected readonly databaseName = 'MapDB';
  protected override readonly maxBatch: number;
  readonly statements: string[][] = [];
  readonly rows = new Map<string, number>();
  readonly exportFilters: ExportRowFilter[] = [];
  /** A webhook-id whose row the "database" refuses, failing its whole statement. */
  refuse: string | undefined;
  /** Fail every statement as a broken database would. */
  down = false;
  /** Fail every write but answer reads, as a full disk does. */
  full = false;
  /** When set, insert and ping statements throw exactly this. */
  failure: unknown;
  /** When set, an insert statement waits for it before it writes (a slow commit). */
  gate: Promise<void> | undefined;
  /** Insert commits, settle statements and the database's close, in the order they happened. */
  readonly log: string[] = [];

  constructor(maxBatch = Number.POSITIVE_INFINITY, limits: PendingInsertLimits = {}) {
    super(limits);
    this.maxBatch = maxBatch;
  }

  protected async insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]> {
    this.statements.push(rows.map((r) => `${r.delivery.webhookId}x${r.copies}`));
    await this.gate;
    if (this.failure !== undefined) throw this.failure;
    if (this.down) throw Object.assign(new Error('connection lost'), { code: 'DOWN' });
    if (this.full) throw Object.assign(new Error('disk full'), { code: 'FULL' });
    if (rows.some((r) => r.delivery.webhookId === this.refuse)) {
      throw Object.assign(new Error('bad bytes'), { code: 'ROW' });
    }
    const outcomes = rows.map(({ delivery: d, copies }): RowOutcome => {
      const seen = (this.rows.get(d.webhookId) ?? 0) + copies;
      this.rows.set(d.webhookId, seen);
      return { inserted: seen === copies, status: 'received', deliveriesSeen: seen };
    });
    this.log.push('commit');
    return outcomes;
  }

  protected isRowError(error: unknown): boolean {
    return (error as { code?: string }).code === 'ROW';
  }

  protected selectEvent(): EventRow | undefined {
    return undefined;
  }
  protected selectEvents(): EventRow[] {
    return [];
  }
  protected selectExportRows(filter: ExportRowFilter): ExportRow[] {
    this.exportFilters.push(filter);
    return [];
  }
  protected selectExportSizes(): ExportSizeRow[] {
    return [];
  }
  protected openReader(): object {
    return {};
  }
  protected claimRows(): ClaimedEvent[] {
    return [];
  }
  protected async settleRows(_workerId: string, rows: readonly unknown[]): Promise<boolean[]> {
    this.log.push('settle');
    if (this.down) throw new Error('connection lost');
    return rows.map(() => true);
  }
  protected requeueRow(): boolean {
    return false;
  }
  /** Write probes ping() made; they fail while the database is down. */
  probes = 0;
  protected override probeWrite(): void {
    this.probes++;
    if (this.full) throw Object.assign(new Error('disk full'), { code: 'FULL' });
  }
  protected pingDatabase(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.down) throw new Error('connection lost');
  }
  protected async closeDatabase(): Promise<void> {
    this.log.push('close');
  }
}

/** A MapStore whose database takes `concurrent` batches at once, each waiting for its own gate. */
class PipelinedMapStore extends MapStore {
  private readonly gates: Array<() => void> = [];
  /** The batches the store sent, as they arrived (before their gate). */
  readonly sent: string[][] = [];

  constructor(
    private readonly concurrent: number,
    limits: PendingInsertLimits = {},
  ) {
    super(Number.POSITIVE_INFINITY, limits);
  }

  protected override get batchesInFlight(): number {
    return this.concurrent;
  }

  protected override async insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]> {
    this.sent.push(rows.map((r) => `${r.delivery.webhookId}x${r.copies}`));
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return super.insertRows(rows);
  }

  /** Lets the oldest waiting batch commit. */
  release(): void {
    this.gates.shift()?.();
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('StoreCore', () => {
  it('writes copies of one webhook-id in a batch as one row and gives each caller its place in the count', async () => {
    const store = new MapStore();
    const outcomes = await Promise.all([
      store.insertDelivery(delivery('msg_a')),
      store.insertDelivery(delivery('msg_b')),
      store.insertDelivery(delivery('msg_a')),
      store.insertDelivery(delivery('msg_a')),
    ]);
    expect(store.statements).toEqual([['msg_ax3', 'msg_bx1']]);
    expect(outcomes.map((o) => [o.inserted, o.deliveriesSeen])).toEqual([
      [true, 1],
      [true, 1],
      [false, 2],
      [false, 3],
    ]);
    expect(await store.insertDelivery(delivery('msg_a'))).toEqual({
      inserted: false,
      status: 'received',
      deliveriesSeen: 4,
    });
    expect(store.commitCount).toBe(2);
  });

  it('writes a batch refused for one row again row by row, so only that delivery is refused', async () => {
    const store = new MapStore();
    store.refuse = 'msg_bad';
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_1')),
      store.insertDelivery(delivery('msg_bad')),
      store.insertDelivery(delivery('msg_2')),
    ]);
    expect(store.statements).toEqual([
      ['msg_1x1', 'msg_badx1', 'msg_2x1'],
      ['msg_1x1'],
      ['msg_badx1'],
      ['msg_2x1'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'unstorable_delivery',
      message: 'MapDB cannot store this delivery (bad bytes): fix the sender; nothing was stored',
      cause: expect.objectContaining({ code: 'ROW', message: 'bad bytes' }),
    });
  });

  it('refuses a lone row the database refuses without writing it again', async () => {
    const store = new MapStore();
    store.refuse = 'msg_bad';
    await expect(store.insertDelivery(delivery('msg_bad'))).rejects.toMatchObject({
      code: 'unstorable_delivery',
    });
    expect(store.statements).toEqual([['msg_badx1']]);
  });

  it('fails a row whose retry meets a broken database with store_unavailable, and answers the others', async () => {
    const store = new (class extends MapStore {
      protected override async insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]> {
        // The database breaks after the batch was refused, while its rows are written one by one.
        if (this.statements.length === 2) this.down = true;
        return super.insertRows(rows);
      }
    })();
    store.refuse = 'msg_bad';
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_1')),
      store.insertDelivery(delivery('msg_2')),
      store.insertDelivery(delivery('msg_bad')),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason.code : r.value.inserted))).toEqual([
      true,
      'store_unavailable',
      'store_unavailable',
    ]);
  });

  it('fails the whole batch with store_unavailable, without a retry, when the database itself fails', async () => {
    const store = new MapStore();
    store.down = true;
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_1')),
      store.insertDelivery(delivery('msg_2')),
    ]);
    expect(store.statements).toHaveLength(1);
    const failure = {
      code: 'store_unavailable',
      message:
        'The MapDB store could not commit the delivery (connection lost); the sender should retry later',
      cause: expect.objectContaining({ code: 'DOWN', message: 'connection lost' }),
    };
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual([
      expect.objectContaining(failure),
      expect.objectContaining(failure),
    ]);
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store_unavailable',
      message: 'MapDB store error: connection lost',
      cause: expect.objectContaining({ message: 'connection lost' }),
    });
  });

  it('passes a StoreError from the database layer on as it is, for a batch and for any other call', async () => {
    const store = new MapStore();
    const stopped = new StoreError('store_unavailable', 'The MapDB writer stopped: out of memory');
    store.failure = stopped;
    await expect(store.insertDelivery(delivery('msg_1'))).rejects.toBe(stopped);
    await expect(store.ping()).rejects.toBe(stopped);
  });

  it('splits the queue into batches of at most maxBatch deliveries, one in flight at a time', async () => {
    const store = new MapStore(2);
    await Promise.all(['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => store.insertDelivery(delivery(id))));
    expect(store.statements).toEqual([['m1x1', 'm2x1'], ['m3x1', 'm4x1'], ['m5x1']]);
  });

  it('sends a delivery queued while a batch commits with the next turn’s batch, which later deliveries join', async () => {
    const store = new MapStore();
    await Promise.all([store.insertDelivery(delivery('m1')), store.insertDelivery(delivery('m2'))]);
    // Still in the turn that sent [m1, m2]: m3 waits for the next turn, and m4, queued early in
    // that turn, goes with it.
    const m4 = new Promise((resolve) => setImmediate(() => resolve(store.insertDelivery(delivery('m4')))));
    const m3 = store.insertDelivery(delivery('m3'));
    await Promise.all([m3, m4]);
    expect(store.statements).toEqual([
      ['m1x1', 'm2x1'],
      ['m3x1', 'm4x1'],
    ]);
  });

  it('sends each turn’s deliveries as a batch of their own while earlier ones commit, up to batchesInFlight', async () => {
    const store = new PipelinedMapStore(2);
    const answered: string[] = [];
    const insert = (id: string) => store.insertDelivery(delivery(id)).then(() => answered.push(id));
    const first = insert('m1');
    await nextTurn();
    const second = insert('m2');
    await nextTurn();
    const third = [insert('m3'), insert('m4')];
    await nextTurn();
    // Two batches committing; the third waits for one of them to finish.
    expect(store.sent).toEqual([['m1x1'], ['m2x1']]);
    store.release();
    await first;
    await nextTurn();
    expect(store.sent).toEqual([['m1x1'], ['m2x1'], ['m3x1', 'm4x1']]);
    store.release();
    store.release();
    await Promise.all([second, ...third]);
    expect(answered).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('answers store_unavailable to every delivery of every batch committing when its time is up', async () => {
    const store = new PipelinedMapStore(2, { insertTimeoutMs: 100 });
    const first = store.insertDelivery(delivery('msg_a'));
    await nextTurn();
    const second = store.insertDelivery(delivery('msg_b'));
    await expect(first).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(second).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(store.sent).toEqual([['msg_ax1'], ['msg_bx1']]);
  });

  it('closes the database only after every batch in flight has committed', async () => {
    const store = new PipelinedMapStore(2);
    const first = store.insertDelivery(delivery('msg_a'));
    await nextTurn();
    const second = store.insertDelivery(delivery('msg_b'));
    const closing = store.close();
    await nextTurn();
    store.release();
    await first;
    await nextTurn();
    expect(store.log).toEqual(['commit']);
    store.release();
    await closing;
    expect(store.log).toEqual(['commit', 'commit', 'close']);
    await expect(second).resolves.toMatchObject({ inserted: true });
  });

  it('answers store_unavailable to deliveries still waiting when their time limit runs out, committing or queued', async () => {
    const store = new MapStore(1, { insertTimeoutMs: 100 });
    let open: () => void = () => {};
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    // The first is being committed (and hangs), the second waits behind it.
    const committing = store.insertDelivery(delivery('msg_hung'));
    const queued = store.insertDelivery(delivery('msg_behind'));
    const message =
      'The MapDB store did not commit the delivery within 100 ms; the sender should retry later';
    await expect(committing).rejects.toMatchObject({ code: 'store_unavailable', message });
    await expect(queued).rejects.toMatchObject({ code: 'store_unavailable', message });
    // The database comes back: what it was given is still written (its retry is a duplicate).
    open();
    await expect(store.insertDelivery(delivery('msg_hung'))).resolves.toMatchObject({
      inserted: false,
      deliveriesSeen: 2,
    });
    expect(store.rows.get('msg_behind')).toBe(1);
    await store.close();
  });

  it('refuses an insert time limit that is not a whole number of ms >= 1', () => {
    for (const insertTimeoutMs of [0, 2.5, Number.NaN]) {
      expect(() => new MapStore(1, { insertTimeoutMs })).toThrow(
        `insertTimeoutMs must be a whole number of ms >= 1, got ${insertTimeoutMs}`,
      );
    }
  });

  it('pings with a write while insert commits fail, until one write succeeds; a refused row does not count', async () => {
    const store = new MapStore();
    await store.ping();
    store.refuse = 'msg_bad';
    await expect(store.insertDelivery(delivery('msg_bad'))).rejects.toMatchObject({
      code: 'unstorable_delivery',
    });
    await store.ping();
    expect(store.probes).toBe(0);
    // The database refuses every write (a full disk) but still answers reads.
    store.full = true;
    await expect(store.insertDelivery(delivery('msg_full'))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store_unavailable',
      message: 'MapDB store error: disk full',
    });
    store.full = false;
    await store.ping();
    await store.ping();
    expect(store.probes).toBe(2);
    // A commit that succeeds ends the write probes too.
    store.full = true;
    await expect(store.insertDelivery(delivery('msg_full_2'))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    store.full = false;
    await store.insertDelivery(delivery('msg_ok'));
    await store.ping();
    expect(store.probes).toBe(2);
    await store.close();
  });

  it('settles an empty list without asking the database, even a broken one', async () => {
    const store = new MapStore();
    store.down = true;
    expect(await store.settleMany('w', [], 0)).toEqual([]);
    expect(store.log).toEqual([]);
    store.down = false;
    expect(await store.settleMany('w', [{ webhookId: 'm', settlement: { status: 'unhandled' } }], 0)).toEqual(
      [true],
    );
    expect(store.log).toEqual(['settle']);
  });

  it('starts an export before the first millisecond of `since` and bounds every page', async () => {
    const store = new MapStore();
    await store.exportEvents({ limit: 10 });
    await store.exportEvents({ types: ['t'], statuses: ['failed'], since: 1000, until: 2000, limit: 1000 });
    await store.exportEvents({ since: 1000, after: { receivedAt: 1500, webhookId: 'msg_b' }, limit: 5 });
    expect(store.exportFilters).toEqual([
      {
        types: null,
        statuses: null,
        after: { receivedAt: -1, webhookId: '' },
        since: 0,
        until: Number.MAX_SAFE_INTEGER,
        limit: 10,
      },
      {
        types: ['t'],
        statuses: ['failed'],
        after: { receivedAt: 999, webhookId: '' },
        since: 1000,
        until: 2000,
        limit: 1000,
      },
      {
        types: null,
        statuses: null,
        after: { receivedAt: 1500, webhookId: 'msg_b' },
        since: 1000,
        until: Number.MAX_SAFE_INTEGER,
        limit: 5,
      },
    ]);
    await expect(store.exportEvents({ limit: 1001 })).rejects.toThrow(/expected 1 to 1000/);
    await expect(store.exportEvents({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(store.exportEvents({ limit: 1.5 })).rejects.toThrow(
      'exportEvents limit is 1.5: expected 1 to 1000',
    );
    await expect(
      store.exportEvents({ statuses: Array.from({ length: 101 }, () => 'failed' as const), limit: 1 }),
    ).rejects.toThrow('an exportEvents filter has 101 values: expected at most 100');
    await expect(
      store.exportEvents({ types: Array.from({ length: 101 }, String), limit: 1 }),
    ).rejects.toThrow(/101 values: expected at most 100/);
    // Windows and lists that match nothing answer without a query.
    expect(await store.exportEvents({ since: 2000, until: 2000, limit: 10 })).toEqual([]);
    expect(await store.exportEvents({ types: [], limit: 10 })).toEqual([]);
    expect(await store.exportEvents({ statuses: [], limit: 10 })).toEqual([]);
    expect(store.exportFilters).toHaveLength(3);
    // The bounds themselves are allowed.
    await store.exportEvents({ limit: 1, since: 2000, until: 2001 });
    await store.exportEvents({ types: Array.from({ length: 100 }, String), limit: 1 });
    expect(store.exportFilters).toHaveLength(5);
    expect(store.exportFilters[3]).toMatchObject({ limit: 1, since: 2000, until: 2001 });
  });

  it('commits what was queued before close() resolves, then refuses every call with store_closed', async () => {
    const store = new MapStore();
    const queued = store.insertDelivery(delivery('msg_q'));
    expect(store.isClosed).toBe(false);
    await store.close();
    expect(store.isClosed).toBe(true);
    await expect(queued).resolves.toMatchObject({ inserted: true });
    await expect(store.insertDelivery(delivery('msg_late'))).rejects.toMatchObject({
      code: 'store_closed',
      message: 'The store is closed: open a new one to keep using it',
    });
    await expect(store.getEvent('msg_q')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(store.settleMany('w', [], 0)).rejects.toMatchObject({ code: 'store_closed' });
  });

  it('closes the database only after the batch in flight has committed', async () => {
    const store = new MapStore();
    let release!: () => void;
    store.gate = new Promise((resolve) => {
      release = resolve;
    });
    const queued = store.insertDelivery(delivery('msg_slow'));
    const closing = store.close();
    // close() sent the queue itself; the commit now waits for the gate.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.statements).toEqual([['msg_slowx1']]);
    expect(store.log).toEqual([]);
    release();
    await closing;
    expect(store.log).toEqual(['commit', 'close']);
    await expect(queued).resolves.toMatchObject({ inserted: true });
  });
});
