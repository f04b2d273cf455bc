// SQLite implementation of Store (better-sqlite3, WAL, synchronous=FULL: every commit is fsync'd).
//
// Group commit: insertDelivery() only queues; one setImmediate callback per event-loop turn hands
// every queued delivery over as ONE batch, written in one transaction (one fsync), and then
// resolves each caller with its own outcome. Duplicates inside a batch resolve correctly because
// the upsert runs row by row inside the transaction.
//
// Writer thread: for a database file, every write (inserts, claims, settlements, requeues) runs in
// a worker thread that owns the write connection (SqliteWriter / SqliteWriterWorker), so commits
// and their fsyncs never block the HTTP thread, and batches keep forming while a commit runs. Reads
// stay on this thread's own connection (WAL lets them run beside the writer; they see every commit
// that has been acknowledged). ':memory:' databases cannot be shared between connections, so they
// write on this thread.
//
// Claims live in memory: an SQLite file belongs to ONE receiver process (a second process on the
// same file is not supported), so leases need not be written. A claim costs no write; its attempt
// is counted in the settlement's single UPDATE. Rows this store just inserted as `received` are
// kept (bounded) with their bytes, so the processor claims them without reading them back. After a
// crash the claims are simply gone: the rows are still `received` (or `failed` and due) on disk and
// are claimed again as soon as the restarted process looks.
import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { decodeCursor, toEventPage } from './eventCursor.js';
import { PendingInsertLimit, type PendingInsertLimits } from './PendingInsertLimit.js';
import { decodeProgressCursor, groupProgress, toProgressPage } from './progressCursor.js';
import { lockSqliteFile, type SqliteFileLock } from './SqliteFileLock.js';
import { SqliteWriter } from './SqliteWriter.js';
import {
  type ClaimSettlement,
  createSqliteWrites,
  type InsertFailure,
  openSqliteDatabase,
  type SqliteWrites,
} from './SqliteWrites.js';
import type {
  ClaimedEvent,
  CourseProgress,
  EventError,
  EventPage,
  EventStatus,
  EventSummary,
  InsertOutcome,
  ListEventsQuery,
  ListProgressQuery,
  NewDelivery,
  ProgressPage,
  ProgressQuery,
  SettleItem,
  Settlement,
  Store,
  StoredEvent,
} from './Store.js';

const summaryColumns = `webhook_id, event_type, status, errors, deliveries_seen, received_at, processed_at,
  attempts, last_error, next_attempt_at`;

interface EventRow {
  seq: number;
  webhook_id: string;
  event_type: string | null;
  status: EventStatus;
  errors: string | null;
  deliveries_seen: number;
  received_at: number;
  processed_at: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  body?: Buffer;
  headers?: string;
}

/** A lease held in memory (see the header comment). */
interface Claim {
  workerId: string;
  leaseUntil: number;
  attempts: number;
  /** A settlement for it is being written: it cannot be taken over meanwhile. */
  settling: boolean;
}

/** A row this store inserted as `received`, kept with its bytes until it is claimed. */
interface FreshEvent {
  type: string | null;
  body: Buffer;
  dueAt: number;
}

/** At most this many fresh rows are kept in memory; beyond it the processor reads them back. */
const maxFresh = 2000;

/**
 * With nothing known to be waiting outside the fresh rows, the table is still searched this often
 * (in the callers' clock) for due rows nobody announced: events left from before a restart whose
 * retry falls due later, say.
 */
const rescanIntervalMs = 1000;

interface Pending {
  delivery: NewDelivery;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: unknown) => void;
}

export interface SqliteStoreOptions extends PendingInsertLimits {
  /** A file path, or ':memory:' (tests only: not durable). The parent folder is created. */
  filename: string;
  /**
   * Run writes (and their fsyncs) in a worker thread that owns the write connection (default true
   * for a file; always false for ':memory:').
   */
  writerThread?: boolean;
}

type AsyncWrites = {
  [K in keyof SqliteWrites]: (...args: Parameters<SqliteWrites[K]>) => Promise<ReturnType<SqliteWrites[K]>>;
};

/**
 * Opens (and creates if needed) an SQLite event store.
 *
 * @example
 * const store = new SqliteStore({ filename: '.data/receiver.sqlite' });
 * const outcome = await store.insertDelivery(delivery); // committed and fsync'd here
 * await store.close();
 */
export class SqliteStore implements Store {
  readonly filename: string;
  private readonly db: Database.Database;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** The insert batch the writer thread is committing, if any. */
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private commits = 0;
  private readonly stmt;
  /** Set for ':memory:' (or writerThread: false): writes run synchronously on this thread. */
  private readonly local: SqliteWrites | undefined;
  private readonly writes: AsyncWrites;
  private readonly writer: SqliteWriter | undefined;
  private readonly pending: PendingInsertLimit;
  private readonly lock: SqliteFileLock | undefined;
  private readonly claims = new Map<string, Claim>();
  private readonly fresh = new Map<string, FreshEvent>();
  /**
   * Whether rows may be due on disk that are neither fresh nor claimed (a restart, a full fresh
   * cache, a requeue). Searching the table costs a walk over every claimed row, so it happens only
   * then, when a retry or a lease falls due, or every rescanIntervalMs.
   */
  private rescanNeeded = true;
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private nextRetryAt = Number.POSITIVE_INFINITY;

  constructor(options: SqliteStoreOptions) {
    this.filename = options.filename;
    this.pending = new PendingInsertLimit(options);
    try {
      // Locked before anything touches the database, so a refused process changes nothing.
      this.lock = options.filename === ':memory:' ? undefined : lockSqliteFile(options.filename);
      // Opened here first, so the schema exists before the writer thread connects.
      this.db = openSqliteDatabase(options.filename);
    } catch (error) {
      this.lock?.release();
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        'store_unavailable',
        `Cannot open the SQLite database at ${options.filename}: check the path in DATABASE_URL and that the folder is writable`,
        { cause: error },
      );
    }
    const db = this.db;
    this.stmt = {
      get: db.prepare<[string], EventRow>(
        `SELECT seq, ${summaryColumns}, body, headers FROM webhook_events WHERE webhook_id = ?`,
      ),
      // One statement per filter: a `(? IS NULL OR col = ?)` condition keeps SQLite off the index
      // and walks the whole table.
      list: {
        all: db.prepare<[number, number], EventRow>(
          `SELECT seq, ${summaryColumns} FROM webhook_events WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        type: db.prepare<[string, number, number], EventRow>(
          `SELECT seq, ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_type
           WHERE event_type = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        status: db.prepare<[string, number, number], EventRow>(
          `SELECT seq, ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_status
           WHERE status = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        both: db.prepare<[string, string, number, number], EventRow>(
          `SELECT seq, ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_type
           WHERE event_type = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
      },
      // The (user, course) pairs of one page first, from the primary key (or the course index),
      // then their completions.
      progressPage: db.prepare<
        [string | null, string | null, string | null, string | null, string, string, number],
        { user_id: string; course_id: string; lesson_id: string; completed_at: number }
      >(
        `WITH pairs AS (
           SELECT DISTINCT user_id, course_id FROM lesson_completions
           WHERE (? IS NULL OR user_id = ?) AND (? IS NULL OR course_id = ?) AND (user_id, course_id) > (?, ?)
           ORDER BY user_id, course_id LIMIT ?)
         SELECT l.user_id, l.course_id, l.lesson_id, l.completed_at
         FROM pairs p JOIN lesson_completions l ON l.user_id = p.user_id AND l.course_id = p.course_id
         ORDER BY l.user_id, l.course_id, l.completed_at, l.lesson_id`,
      ),
      due: db.prepare<
        [number, string, number],
        { webhook_id: string; event_type: string | null; body: Buffer; attempts: number }
      >(
        // `+status` keeps the planner off the status index: walking the partial due index in order
        // stops after `limit` rows, where the status index would read and sort the whole backlog.
        `SELECT webhook_id, event_type, body, attempts FROM webhook_events
         WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
           AND +status IN ('received', 'failed')
           AND webhook_id NOT IN (SELECT value FROM json_each(?))
         ORDER BY next_attempt_at, seq LIMIT ?`,
      ),
      nextDue: db.prepare<[], { due: number | null }>(
        `SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) AS due FROM webhook_events
         WHERE next_attempt_at IS NOT NULL AND status IN ('received', 'failed')`,
      ),
      progress: db.prepare<
        [string | null, string | null, string | null, string | null],
        { user_id: string; course_id: string; lesson_id: string; completed_at: number }
      >(
        `SELECT user_id, course_id, lesson_id, completed_at FROM lesson_completions
         WHERE (? IS NULL OR user_id = ?) AND (? IS NULL OR course_id = ?)
         ORDER BY user_id, course_id, completed_at, lesson_id`,
      ),
      ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    };

    if (options.filename !== ':memory:' && options.writerThread !== false) {
      const writer = new SqliteWriter(options.filename);
      this.writer = writer;
      this.writes = writer;
    } else {
      const local = createSqliteWrites(db);
      this.local = local;
      this.writes = {
        insertBatch: async (...args) => local.insertBatch(...args),
        settleClaims: async (...args) => local.settleClaims(...args),
        requeue: async (...args) => local.requeue(...args),
        readPragma: async (...args) => local.readPragma(...args),
      };
    }
  }

  /** How many insert transactions (fsyncs) have committed; lets tests observe group commit. */
  get commitCount(): number {
    return this.commits;
  }

  /**
   * A PRAGMA's value on the connection that commits (the writer thread's for a file), e.g.
   * `synchronous` (2 = FULL): what the durability promise rests on, read where it applies.
   */
  writerPragma(name: string): Promise<unknown> {
    return this.writes.readPragma(name);
  }

  insertDelivery(delivery: NewDelivery): Promise<InsertOutcome> {
    if (this.closed) return Promise.reject(closedError());
    try {
      this.pending.admit(delivery.body.length);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    // One insert batch in flight at a time: what queues while the writer commits (and fsyncs)
    // goes in the next batch, sent when this one is answered.
    if (this.inFlight !== undefined) return;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    for (const p of batch) this.pending.leave(p.delivery.body.length);
    // One compact copy of each body, shared by the writer message and the fresh-row cache: a view
    // into a socket chunk would keep (or, cloned, copy) the whole chunk.
    const deliveries = batch.map((p) => ({ ...p.delivery, body: compactCopy(p.delivery.body) }));
    const settle = (outcomes: (InsertOutcome | InsertFailure)[]) => {
      this.commits++;
      for (let i = 0; i < batch.length; i++) {
        const d = deliveries[i]!;
        const outcome = outcomes[i]!;
        if ('failed' in outcome) {
          batch[i]!.reject(
            outcome.unstorable
              ? new StoreError(
                  'unstorable_delivery',
                  `SQLite cannot store this delivery (${outcome.message}): fix the sender; nothing was stored`,
                )
              : new StoreError(
                  'store_unavailable',
                  `The SQLite store could not commit the delivery (${outcome.message}); the sender should retry later`,
                ),
          );
          continue;
        }
        // The processor may already have read the committed row back before this answer arrived
        // (it is claimed then); the writer answers in order, so it cannot be settled yet.
        if (outcome.inserted && d.status === 'received' && !this.claims.has(d.webhookId)) {
          if (this.fresh.size < maxFresh) {
            this.fresh.set(d.webhookId, { type: d.type, body: d.body, dueAt: d.receivedAt });
          } else {
            this.rescanNeeded = true;
          }
        }
        batch[i]!.resolve(outcome);
      }
    };
    const fail = (error: unknown) => {
      const failure = new StoreError(
        'store_unavailable',
        'The SQLite store could not commit the delivery; the sender should retry later',
        { cause: error },
      );
      for (const p of batch) p.reject(failure);
    };
    if (this.local !== undefined) {
      let outcomes: (InsertOutcome | InsertFailure)[];
      try {
        outcomes = this.local.insertBatch(deliveries);
      } catch (error) {
        fail(error);
        return;
      }
      settle(outcomes);
      return;
    }
    this.inFlight = this.writes
      .insertBatch(deliveries)
      .then(settle, fail)
      .finally(() => {
        this.inFlight = undefined;
        this.flush();
      });
  };

  async getEvent(webhookId: string): Promise<StoredEvent | null> {
    const row = this.run(() => this.stmt.get.get(webhookId));
    if (row === undefined) return null;
    return {
      ...toSummary(row),
      body: row.body!,
      headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
    };
  }

  async listEvents(query: ListEventsQuery): Promise<EventPage> {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const seq = before ?? Number.MAX_SAFE_INTEGER;
    const n = query.limit + 1;
    const { type, status } = query;
    const list = this.stmt.list;
    const rows = this.run(() =>
      type !== undefined && status !== undefined
        ? list.both.all(type, status, seq, n)
        : type !== undefined
          ? list.type.all(type, seq, n)
          : status !== undefined
            ? list.status.all(status, seq, n)
            : list.all.all(seq, n),
    );
    return toEventPage(rows, query.limit, toSummary);
  }

  /** The query plan of listEvents for the given filters (EXPLAIN QUERY PLAN details), for tests. */
  explainListEvents(filters: { type?: string; status?: EventStatus }): string[] {
    const { type, status } = filters;
    const list = this.stmt.list;
    const stmt =
      type !== undefined && status !== undefined
        ? list.both
        : type !== undefined
          ? list.type
          : status !== undefined
            ? list.status
            : list.all;
    const args = [type, status, Number.MAX_SAFE_INTEGER, 1].filter((a) => a !== undefined);
    const explain = this.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`);
    return (explain.all(...args) as { detail: string }[]).map((r) => r.detail);
  }

  async listProgress(query: ListProgressQuery): Promise<ProgressPage> {
    const after =
      query.cursor === undefined ? { userId: '', courseId: '' } : decodeProgressCursor(query.cursor);
    const user = query.userId ?? null;
    const course = query.courseId ?? null;
    const rows = this.run(() =>
      this.stmt.progressPage.all(user, user, course, course, after.userId, after.courseId, query.limit + 1),
    );
    return toProgressPage(groupProgress(rows), query.limit);
  }

  async claimDue(workerId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedEvent[]> {
    if (this.closed) throw closedError();
    this.throwIfWriterStopped();
    const leaseUntil = now + leaseMs;
    const claimed: ClaimedEvent[] = [];
    const take = (webhookId: string, type: string | null, body: Buffer, storedAttempts: number) => {
      // A lease that expired in memory still counts its attempt, as a written lease would.
      const attempts = Math.max(storedAttempts, this.claims.get(webhookId)?.attempts ?? 0) + 1;
      this.claims.set(webhookId, { workerId, leaseUntil, attempts, settling: false });
      this.fresh.delete(webhookId);
      claimed.push({ webhookId, type, body, attempts, claimedBy: workerId, leaseUntil });
    };
    for (const [webhookId, row] of this.fresh) {
      if (claimed.length >= limit) return claimed;
      if (row.dueAt <= now && !this.isLeased(webhookId, now)) take(webhookId, row.type, row.body, 0);
    }
    const leased: string[] = [];
    let leaseExpired = false;
    for (const [webhookId, claim] of this.claims) {
      if (claim.settling || claim.leaseUntil > now) leased.push(webhookId);
      else leaseExpired = true;
    }
    const scan =
      this.rescanNeeded ||
      leaseExpired ||
      now >= this.nextRetryAt ||
      now >= this.lastScanAt + rescanIntervalMs;
    if (!scan) return claimed;
    this.rescanNeeded = false;
    this.lastScanAt = now;
    if (now >= this.nextRetryAt) this.nextRetryAt = Number.POSITIVE_INFINITY;
    const wanted = limit - claimed.length;
    const rows = this.run(() => this.stmt.due.all(now, JSON.stringify(leased), wanted));
    for (const r of rows) take(r.webhook_id, r.event_type, r.body, r.attempts);
    // A full page may have left more behind: look again next time.
    if (rows.length === wanted) this.rescanNeeded = true;
    return claimed;
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
    // Only the holder of the claim may settle (an expired lease nobody took over still counts).
    const held: Claim[] = [];
    const writes: ClaimSettlement[] = [];
    const mine = items.map((item) => {
      const claim = this.claims.get(item.webhookId);
      if (claim === undefined || claim.workerId !== workerId || claim.settling) return false;
      if (item.attempts !== undefined && item.attempts !== claim.attempts) return false;
      claim.settling = true;
      held.push(claim);
      writes.push({ webhookId: item.webhookId, attempts: claim.attempts, settlement: item.settlement });
      const retryAt = item.settlement.status === 'failed' ? item.settlement.nextAttemptAt : null;
      if (retryAt !== null) this.nextRetryAt = Math.min(this.nextRetryAt, retryAt);
      return true;
    });
    let written: boolean[];
    try {
      written = writes.length === 0 ? [] : await this.write(() => this.writes.settleClaims(writes, now));
    } catch (error) {
      for (const claim of held) claim.settling = false;
      throw error;
    }
    let at = 0;
    return mine.map((isMine, i) => {
      if (!isMine) return false;
      const claim = held[at]!;
      const ok = written[at++] === true;
      const webhookId = items[i]!.webhookId;
      if (this.claims.get(webhookId) === claim) this.claims.delete(webhookId);
      return ok;
    });
  }

  requeue(webhookId: string, now: number): Promise<boolean> {
    // The current holder (if any) loses the event: its settlement is refused.
    this.claims.delete(webhookId);
    this.fresh.delete(webhookId);
    this.rescanNeeded = true;
    return this.write(() => this.writes.requeue(webhookId, now));
  }

  private isLeased(webhookId: string, now: number): boolean {
    const claim = this.claims.get(webhookId);
    return claim !== undefined && (claim.settling || claim.leaseUntil > now);
  }

  async nextDueAt(): Promise<number | null> {
    return this.run(() => this.stmt.nextDue.get()?.due ?? null);
  }

  async getProgress(query: ProgressQuery): Promise<CourseProgress[]> {
    const user = query.userId ?? null;
    const course = query.courseId ?? null;
    const rows = this.run(() => this.stmt.progress.all(user, user, course, course));
    return groupProgress(rows);
  }

  async ping(): Promise<void> {
    this.run(() => this.stmt.ping.get());
    // Reads would still work without the writer thread, but no delivery could be stored.
    this.throwIfWriterStopped();
  }

  private throwIfWriterStopped(): void {
    const failure = this.writer?.failure;
    if (failure !== undefined && !this.closed) {
      throw new StoreError('store_unavailable', `The SQLite writer thread stopped: ${failure.message}`, {
        cause: failure,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    // Each finished batch sends what queued behind it; wait until nothing is left.
    while (this.inFlight !== undefined) await this.inFlight;
    // The writer answers every write already sent before it closes its connection.
    await this.writer?.close();
    this.db.close();
    this.lock?.release();
    this.claims.clear();
    this.fresh.clear();
  }

  private async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw closedError();
    try {
      return await fn();
    } catch (error) {
      throw new StoreError('store_unavailable', `SQLite store error: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private run<T>(fn: () => T): T {
    if (this.closed) throw closedError();
    try {
      return fn();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('store_unavailable', `SQLite store error: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/** A Buffer that owns exactly its bytes (not a view into a larger, shared ArrayBuffer). */
function compactCopy(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return Buffer.from(copy.buffer, 0, copy.byteLength);
}

function closedError(): StoreError {
  return new StoreError('store_closed', 'The store is closed: open a new one to keep using it');
}

function toSummary(row: EventRow): EventSummary {
  return {
    webhookId: row.webhook_id,
    type: row.event_type,
    status: row.status,
    errors: row.errors === null ? null : (JSON.parse(row.errors) as EventError[]),
    deliveriesSeen: row.deliveries_seen,
    receivedAt: row.received_at,
    processedAt: row.processed_at,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}
