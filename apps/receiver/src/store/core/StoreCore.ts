// What every Store does the same way, whatever the database. A database is a subclass that
// supplies a few primitives (insert rows, select, claim, settle rows, requeue, next due, ping,
// close); this class owns the rest:
//
// - Group commit: insertDelivery() only queues (bounded by PendingInsertLimit); one setImmediate
//   per event-loop turn sends the queue as ONE batch, at most `batchesInFlight` batches committing
//   at once (one by default), so what queues during a commit goes in the next one.
// - A time limit per delivery (insertTimeoutMs): a database that hangs (frozen, a lock held by a
//   dead peer) fails each waiting delivery (`store_unavailable`) when its time is up, instead of
//   holding the request until the statement fails. One timer serves every waiting delivery. The delivery may
//   still commit afterwards: its sender was told to retry, and the retry is a duplicate.
// - Per-id delivery counting: copies of one webhook-id in a batch become one row written with
//   their count; each caller gets its own place in that count (exactly one is `inserted`).
// - A batch the database refuses because of one row's data is written again row by row, so only
//   that delivery fails (`unstorable_delivery`); any other failure fails the batch
//   (`store_unavailable`).
// - Error wrapping: database errors become StoreError('store_unavailable'); after close() every
//   call rejects with StoreError('store_closed').
// - The codecs (eventRow), cursors and settlement columns.
// - Read models' reads: reader(model) opens the model's reader on the dialect's connection once and
//   runs its calls as any other (errors wrapped, refused once closed).
import { StoreError } from '../../errors.js';
import type { ForwardOutbox } from '../../forwarding/outbox/ForwardOutbox.js';
import type { AnyReadModel, ReadModelOf } from '../../readModels/ReadModel.js';
import { decodeCursor, pageLength, toEventPage } from './eventCursor.js';
import {
  type EventRow,
  type ExportRow,
  type ExportSizeRow,
  toExportedEvent,
  toStoredEvent,
  toSummary,
} from './eventRow.js';
import { PendingInsertLimit, type PendingInsertLimits } from './PendingInsertLimit.js';
import type {
  ClaimedEvent,
  EventPage,
  EventStatus,
  ExportEventsQuery,
  ExportedEvent,
  ExportPosition,
  InsertOutcome,
  ListEventsQuery,
  NewDelivery,
  SettleItem,
  Settlement,
  Store,
  StoredEvent,
} from './Store.js';
import { maxExportFilterValues, maxExportPage } from './Store.js';
import { type SettleRow, settlementColumns } from './settlementColumns.js';

/** One row to upsert: a delivery and how many copies of its webhook-id the batch holds. */
export interface InsertRow {
  delivery: NewDelivery;
  copies: number;
}

/** What the upsert left in the row. */
export interface RowOutcome {
  /** The row was created by this upsert. */
  inserted: boolean;
  status: EventStatus;
  /** The row's count after this upsert (its copies included). */
  deliveriesSeen: number;
}

export interface EventFilter {
  type: string | null;
  status: EventStatus | null;
  /** Only rows with a smaller `seq`; null for the first page. */
  before: number | null;
  limit: number;
}

/** One export page: rows after `after` with since <= received_at < until, oldest first. */
export interface ExportRowFilter {
  /** null: any type; otherwise one of these (never empty). */
  types: readonly string[] | null;
  statuses: readonly EventStatus[] | null;
  /** Rows whose (received_at, webhook_id) is greater than this, in byte order of the id. */
  after: ExportPosition;
  since: number;
  until: number;
  limit: number;
}

interface Pending {
  delivery: NewDelivery;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: unknown) => void;
  /** Date.now() past which the caller is told store_unavailable. */
  deadline: number;
}

/** How often, at most, the deliveries past their time limit are looked for. */
const expiryGranularityMs = 50;

export abstract class StoreCore implements Store {
  /** Named in error messages: `SQLite`, `PostgreSQL`. */
  protected abstract readonly databaseName: string;
  /** Most deliveries in one insert batch. */
  protected readonly maxBatch: number = Number.POSITIVE_INFINITY;
  /**
   * Insert batches committing at once. More than one only for a database that commits batches in
   * the order they were sent and may write several in one transaction (SQLite's writer thread):
   * the next turn's deliveries then reach it while a commit runs, instead of a round trip later.
   */
  protected get batchesInFlight(): number {
    return 1;
  }
  private readonly pending: PendingInsertLimit;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** The insert batches being committed, each with its deliveries. */
  private readonly inFlight = new Map<Promise<void>, readonly Pending[]>();
  private readonly insertTimeoutMs: number;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private commits = 0;
  private readonly readers = new Map<AnyReadModel, object>();
  /** The last insert batch failed for the database's sake (not a row's), and none committed since. */
  private writesFailing = false;

  constructor(limits: PendingInsertLimits) {
    this.pending = new PendingInsertLimit(limits);
    const insertTimeoutMs = limits.insertTimeoutMs ?? 8000;
    if (!Number.isSafeInteger(insertTimeoutMs) || insertTimeoutMs < 1) {
      throw new RangeError(`insertTimeoutMs must be a whole number of ms >= 1, got ${insertTimeoutMs}`);
    }
    this.insertTimeoutMs = insertTimeoutMs;
  }

  /** Upserts `rows` in one transaction; one outcome per row, in order. */
  protected abstract insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]>;
  protected abstract selectEvent(webhookId: string): EventRow | undefined | Promise<EventRow | undefined>;
  /** Newest first (descending `seq`). */
  protected abstract selectEvents(filter: EventFilter): EventRow[] | Promise<EventRow[]>;
  /**
   * Ordered by (received_at, webhook_id) ascending, walking the (received_at, webhook_id) index
   * from `after`: never a sort of the matching rows.
   */
  protected abstract selectExportRows(filter: ExportRowFilter): ExportRow[] | Promise<ExportRow[]>;
  /** The same rows as selectExportRows, with each body's length instead of the body. */
  protected abstract selectExportSizes(filter: ExportRowFilter): ExportSizeRow[] | Promise<ExportSizeRow[]>;
  /** The forwarding outbox's operations on this database, unguarded (outbox wraps them); none by default. */
  protected openOutbox(): ForwardOutbox | undefined {
    return undefined;
  }
  /** The model's reader on this database's read connection(s). */
  protected abstract openReader(model: AnyReadModel): object;
  protected abstract claimRows(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts: number | undefined,
  ): ClaimedEvent[] | Promise<ClaimedEvent[]>;
  /** Writes the settlements `workerId` still holds in one transaction; false for the others. */
  protected abstract settleRows(
    workerId: string,
    rows: readonly SettleRow[],
    now: number,
  ): Promise<boolean[]>;
  protected abstract requeueRow(webhookId: string, now: number): boolean | Promise<boolean>;
  protected abstract pingDatabase(): unknown;
  /**
   * Writes something small, for ping() while insert commits are failing (a full disk answers reads
   * but refuses every write). Default: nothing (the database has no cheaper write to try).
   */
  protected probeWrite(): unknown {
    return undefined;
  }
  /** Called once every accepted delivery is committed. */
  protected abstract closeDatabase(): Promise<void>;
  /** The database refused this row's values: writing it again can never succeed. */
  protected abstract isRowError(error: unknown): boolean;

  /** The error text to show; a database may add its error code. */
  protected describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  /** The delivery as the batch keeps it (a database may copy its body). */
  protected retain(delivery: NewDelivery): NewDelivery {
    return delivery;
  }

  /** Told about each row an insert created, before its caller is answered. */
  protected created(_delivery: NewDelivery): void {}

  /** How many insert transactions have committed; lets tests observe group commit. */
  get commitCount(): number {
    return this.commits;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  insertDelivery(delivery: NewDelivery): Promise<InsertOutcome> {
    if (this.closed) return Promise.reject(closedError());
    try {
      this.pending.admit(delivery.body.length);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, resolve, reject, deadline: Date.now() + this.insertTimeoutMs });
      this.expiryTimer ??= this.armExpiry(this.insertTimeoutMs);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    while (this.inFlight.size < this.batchesInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      for (const p of batch) this.pending.leave(p.delivery.body.length);
      const committed: Promise<void> = this.commitBatch(batch).finally(() => {
        this.inFlight.delete(committed);
        this.flush();
      });
      this.inFlight.set(committed, batch);
    }
  };

  private armExpiry(ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(this.expire, Math.max(ms, expiryGranularityMs));
    // Waiting deliveries keep the process alive through their own requests, not through this.
    timer.unref();
    return timer;
  }

  /**
   * Answers store_unavailable to every delivery, committing or queued, whose time is up (a promise
   * settles once: a commit that lands later changes nothing for its caller), and waits for the next.
   */
  private readonly expire = (): void => {
    this.expiryTimer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    let timedOut: StoreError | undefined;
    for (const waiting of [...this.inFlight.values(), this.queue]) {
      for (const p of waiting) {
        if (p.deadline > now) {
          next = Math.min(next, p.deadline);
          continue;
        }
        timedOut ??= new StoreError(
          'store_unavailable',
          `The ${this.databaseName} store did not commit the delivery within ${this.insertTimeoutMs} ms; the sender should retry later`,
        );
        p.reject(timedOut);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.expiryTimer = this.armExpiry(next - now);
  };

  private async commitBatch(batch: Pending[]): Promise<void> {
    const groups = new Map<string, Pending[]>();
    for (const p of batch) {
      const group = groups.get(p.delivery.webhookId);
      if (group === undefined) groups.set(p.delivery.webhookId, [p]);
      else group.push(p);
    }
    const rows: InsertRow[] = [];
    const callers: Pending[][] = [];
    for (const group of groups.values()) {
      rows.push({ delivery: this.retain(group[0]!.delivery), copies: group.length });
      callers.push(group);
    }
    try {
      this.answer(rows, callers, await this.insertRows(rows));
    } catch (error) {
      if (rows.length > 1 && this.isRowError(error)) {
        for (let i = 0; i < rows.length; i++) {
          try {
            this.answer([rows[i]!], [callers[i]!], await this.insertRows([rows[i]!]));
          } catch (rowError) {
            for (const p of callers[i]!) p.reject(this.insertFailure(rowError));
          }
        }
        return;
      }
      const failure = this.insertFailure(error);
      if (failure.code === 'store_unavailable') this.writesFailing = true;
      for (const p of batch) p.reject(failure);
    }
  }

  private answer(rows: readonly InsertRow[], callers: Pending[][], outcomes: RowOutcome[]): void {
    this.commits++;
    this.writesFailing = false;
    for (let i = 0; i < rows.length; i++) {
      const { delivery, copies } = rows[i]!;
      const outcome = outcomes[i]!;
      if (outcome.inserted) this.created(delivery);
      const first = outcome.deliveriesSeen - copies + 1;
      for (const [j, p] of callers[i]!.entries()) {
        p.resolve({
          inserted: outcome.inserted && j === 0,
          status: outcome.status,
          deliveriesSeen: first + j,
        });
      }
    }
  }

  async getEvent(webhookId: string): Promise<StoredEvent | null> {
    const row = await this.run(() => this.selectEvent(webhookId));
    return row === undefined ? null : toStoredEvent(row);
  }

  async listEvents(query: ListEventsQuery): Promise<EventPage> {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const rows = await this.run(() =>
      this.selectEvents({
        type: query.type ?? null,
        status: query.status ?? null,
        before,
        limit: query.limit + 1,
      }),
    );
    return toEventPage(rows, query.limit, toSummary, query.budget);
  }

  async exportEvents(query: ExportEventsQuery): Promise<ExportedEvent[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxExportPage) {
      throw new RangeError(`exportEvents limit is ${query.limit}: expected 1 to ${maxExportPage}`);
    }
    if (query.maxBytes !== undefined && !(query.maxBytes >= 1)) {
      throw new RangeError(`exportEvents maxBytes is ${query.maxBytes}: expected at least 1`);
    }
    for (const list of [query.types, query.statuses]) {
      if (list !== undefined && list.length > maxExportFilterValues) {
        throw new RangeError(
          `an exportEvents filter has ${list.length} values: expected at most ${maxExportFilterValues}`,
        );
      }
    }
    const since = query.since ?? 0;
    const until = query.until ?? Number.MAX_SAFE_INTEGER;
    // An empty list matches nothing, as `IN ()` would.
    if (since >= until || query.types?.length === 0 || query.statuses?.length === 0) return [];
    // Before every id of the first millisecond: an empty id sorts before any other.
    const after = query.after ?? { receivedAt: since - 1, webhookId: '' };
    const filter: ExportRowFilter = {
      types: query.types ?? null,
      statuses: query.statuses ?? null,
      after,
      since,
      until,
      limit: query.limit,
    };
    const { maxBytes } = query;
    if (maxBytes !== undefined) {
      // Sized first, so only the bodies the page returns are read (a page of large bodies would
      // otherwise hold `limit` of them in memory at once).
      const sizes = await this.run(() => this.selectExportSizes(filter));
      filter.limit = pageLength(sizes, query.limit, { maxBytes, sizeOf: (r) => Number(r.body_bytes) });
      if (filter.limit === 0) return [];
    }
    const rows = await this.run(() => this.selectExportRows(filter));
    return rows.map(toExportedEvent);
  }

  claimDue(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts?: number,
  ): Promise<ClaimedEvent[]> {
    return this.run(() => this.claimRows(workerId, now, leaseMs, limit, maxAttempts));
  }

  async settle(
    webhookId: string,
    workerId: string,
    settlement: Settlement,
    now: number,
    attempts?: number,
  ): Promise<boolean> {
    const [settled] = await this.settleMany(
      workerId,
      [{ webhookId, settlement, ...(attempts === undefined ? {} : { attempts }) }],
      now,
    );
    return settled === true;
  }

  async settleMany(workerId: string, items: readonly SettleItem[], now: number): Promise<boolean[]> {
    if (this.closed) throw closedError();
    if (items.length === 0) return [];
    const rows = items.map(
      (i): SettleRow => ({
        webhookId: i.webhookId,
        ...(i.attempts === undefined ? {} : { attempts: i.attempts }),
        ...settlementColumns(i.settlement, now),
      }),
    );
    return this.run(() => this.settleRows(workerId, rows, now));
  }

  requeue(webhookId: string, now: number): Promise<boolean> {
    return this.run(() => this.requeueRow(webhookId, now));
  }

  private guardedOutbox: ForwardOutbox | undefined;

  /** The outbox's calls run as any other: refused once closed, database errors as StoreError. */
  get outbox(): ForwardOutbox | undefined {
    if (this.guardedOutbox === undefined) {
      const raw = this.openOutbox();
      if (raw === undefined) return undefined;
      this.guardedOutbox = {
        claim: (...args) => this.run(() => raw.claim(...args)),
        settle: (...args) => this.run(() => raw.settle(...args)),
        reforward: (...args) => this.run(() => raw.reforward(...args)),
        deliveriesOf: (...args) => this.run(() => raw.deliveriesOf(...args)),
        backlog: () => this.run(() => raw.backlog()),
        deadLetters: (...args) => this.run(() => raw.deadLetters(...args)),
        reforwardDead: (...args) => this.run(() => raw.reforwardDead(...args)),
        countDeadLetters: (...args) => this.run(() => raw.countDeadLetters(...args)),
        backlogSummary: (...args) => this.run(() => raw.backlogSummary(...args)),
      };
    }
    return this.guardedOutbox;
  }

  reader<R>(model: ReadModelOf<R>): R {
    let reader = this.readers.get(model);
    if (reader === undefined) {
      // Opened on its first call, inside run(): a store already closed rejects it as any call.
      let opened: Record<string, (...args: unknown[]) => unknown> | undefined;
      const call =
        (name: string) =>
        (...args: unknown[]) =>
          this.run(() => {
            opened ??= this.openReader(model) as Record<string, (...args: unknown[]) => unknown>;
            const method = opened[name];
            if (typeof method !== 'function') throw new TypeError(`${model.name} has no read ${name}`);
            return method.apply(opened, args);
          });
      // Not a thenable: `then` stays undefined, so awaiting a reader gives the reader.
      reader = new Proxy(
        {},
        { get: (_, name) => (typeof name !== 'string' || name === 'then' ? undefined : call(name)) },
      );
      this.readers.set(model, reader);
    }
    return reader as R;
  }

  /** Reads; and while insert commits are failing, writes too, until a write succeeds again. */
  async ping(): Promise<void> {
    await this.run(() => this.pingDatabase());
    if (!this.writesFailing) return;
    await this.run(() => this.probeWrite());
    this.writesFailing = false;
  }

  /** Commits every delivery already accepted, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    // Each finished batch sends what queued behind it; wait until nothing is left.
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.keys());
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    await this.closeDatabase();
  }

  /** Runs a database call: refused once closed, its errors as StoreError('store_unavailable'). */
  protected async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.closed) throw closedError();
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('store_unavailable', `${this.databaseName} store error: ${this.describe(error)}`, {
        cause: error,
      });
    }
  }

  private insertFailure(error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    if (this.isRowError(error)) {
      return new StoreError(
        'unstorable_delivery',
        `${this.databaseName} cannot store this delivery (${this.describe(error)}): fix the sender; nothing was stored`,
        { cause: error },
      );
    }
    return new StoreError(
      'store_unavailable',
      `The ${this.databaseName} store could not commit the delivery (${this.describe(error)}); the sender should retry later`,
      { cause: error },
    );
  }
}

function closedError(): StoreError {
  return new StoreError('store_closed', 'The store is closed: open a new one to keep using it');
}
