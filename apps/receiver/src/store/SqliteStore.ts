// SQLite implementation of Store (better-sqlite3, WAL, synchronous=FULL: every commit is fsync'd).
//
// Group commit: insertDelivery() only queues; one setImmediate callback per event-loop turn writes
// every queued delivery in ONE transaction (one fsync) and then resolves each caller with its own
// outcome. Duplicates inside a batch resolve correctly because the upsert runs row by row inside
// the transaction. All statements are prepared once, at open.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type {
  ClaimedEvent,
  CourseProgress,
  EventError,
  EventPage,
  EventStatus,
  EventSummary,
  InsertOutcome,
  ListEventsQuery,
  NewDelivery,
  ProgressQuery,
  SettleItem,
  Settlement,
  Store,
  StoredEvent,
} from './Store.js';

const schema = `
CREATE TABLE IF NOT EXISTS webhook_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id TEXT NOT NULL UNIQUE,
  event_type TEXT,
  status TEXT NOT NULL CHECK (status IN ('received','processed','failed','quarantined','unhandled')),
  body BLOB NOT NULL,
  headers TEXT NOT NULL,
  errors TEXT,
  deliveries_seen INTEGER NOT NULL DEFAULT 1,
  received_at INTEGER NOT NULL,
  processed_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at INTEGER,
  claimed_by TEXT,
  lease_until INTEGER
);
CREATE INDEX IF NOT EXISTS webhook_events_due ON webhook_events (next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS webhook_events_type ON webhook_events (event_type, seq);
CREATE INDEX IF NOT EXISTS webhook_events_status ON webhook_events (status, seq);
CREATE TABLE IF NOT EXISTS lesson_completions (
  user_id TEXT NOT NULL,
  course_id TEXT NOT NULL,
  lesson_id TEXT NOT NULL,
  completed_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, course_id, lesson_id)
);
CREATE INDEX IF NOT EXISTS lesson_completions_course ON lesson_completions (course_id);
`;

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

interface Pending {
  delivery: NewDelivery;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: unknown) => void;
}

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' (tests only: not durable). The parent folder is created. */
  filename: string;
}

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
  private closed = false;
  private commits = 0;
  private readonly stmt;
  private readonly insertBatch: (items: readonly NewDelivery[]) => InsertOutcome[];
  private readonly settleTx: (webhookId: string, workerId: string, s: Settlement, now: number) => boolean;
  private readonly settleManyTx: (workerId: string, items: readonly SettleItem[], now: number) => boolean[];
  private readonly claimTx: (workerId: string, now: number, leaseMs: number, limit: number) => ClaimedEvent[];

  constructor(options: SqliteStoreOptions) {
    this.filename = options.filename;
    try {
      if (options.filename !== ':memory:') {
        fs.mkdirSync(path.dirname(path.resolve(options.filename)), { recursive: true });
      }
      this.db = new Database(options.filename);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(schema);
    } catch (error) {
      throw new StoreError(
        'store_unavailable',
        `Cannot open the SQLite database at ${options.filename}: check the path in DATABASE_URL and that the folder is writable`,
        { cause: error },
      );
    }
    const db = this.db;
    this.stmt = {
      insert: db.prepare<
        [string, string | null, string, Buffer, string, string | null, number, number | null],
        { status: EventStatus; deliveries_seen: number }
      >(
        `INSERT INTO webhook_events
           (webhook_id, event_type, status, body, headers, errors, received_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (webhook_id) DO UPDATE SET deliveries_seen = deliveries_seen + 1
         RETURNING status, deliveries_seen`,
      ),
      get: db.prepare<[string], EventRow>(
        `SELECT seq, ${summaryColumns}, body, headers FROM webhook_events WHERE webhook_id = ?`,
      ),
      list: db.prepare<
        [string | null, string | null, string | null, string | null, number | null, number | null, number],
        EventRow
      >(
        `SELECT seq, ${summaryColumns} FROM webhook_events
         WHERE (? IS NULL OR event_type = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR seq < ?)
         ORDER BY seq DESC LIMIT ?`,
      ),
      claim: db.prepare<
        [string, number, number, number, number],
        { webhook_id: string; event_type: string | null; body: Buffer; attempts: number }
      >(
        `UPDATE webhook_events SET claimed_by = ?, lease_until = ?, attempts = attempts + 1
         WHERE seq IN (
           SELECT seq FROM webhook_events
           WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
             AND status IN ('received', 'failed')
             AND (lease_until IS NULL OR lease_until <= ?)
           ORDER BY next_attempt_at, seq LIMIT ?)
         RETURNING webhook_id, event_type, body, attempts`,
      ),
      settle: db.prepare<
        [string, string | null, number | null, string | null, number | null, string, string],
        unknown
      >(
        `UPDATE webhook_events
         SET status = ?, errors = ?, processed_at = ?, last_error = ?, next_attempt_at = ?,
             claimed_by = NULL, lease_until = NULL
         WHERE webhook_id = ? AND claimed_by = ?`,
      ),
      requeue: db.prepare<[number, string], unknown>(
        `UPDATE webhook_events
         SET status = 'received', attempts = 0, next_attempt_at = ?, claimed_by = NULL, lease_until = NULL
         WHERE webhook_id = ?`,
      ),
      nextDue: db.prepare<[], { due: number | null }>(
        `SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) AS due FROM webhook_events
         WHERE next_attempt_at IS NOT NULL AND status IN ('received', 'failed')`,
      ),
      completion: db.prepare<[string, string, string, number], unknown>(
        `INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, course_id, lesson_id)
         DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
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

    const insert = this.stmt.insert;
    this.insertBatch = db.transaction((items: readonly NewDelivery[]) =>
      items.map((d) => {
        const row = insert.get(
          d.webhookId,
          d.type,
          d.status,
          d.body,
          JSON.stringify(d.headers),
          d.errors === null ? null : JSON.stringify(d.errors),
          d.receivedAt,
          d.status === 'received' ? d.receivedAt : null,
        )!;
        return {
          inserted: row.deliveries_seen === 1,
          status: row.status,
          deliveriesSeen: row.deliveries_seen,
        };
      }),
    );

    this.claimTx = db.transaction((workerId: string, now: number, leaseMs: number, limit: number) =>
      this.stmt.claim.all(workerId, now + leaseMs, now, now, limit).map((r) => ({
        webhookId: r.webhook_id,
        type: r.event_type,
        body: r.body,
        attempts: r.attempts,
        claimedBy: workerId,
        leaseUntil: now + leaseMs,
      })),
    );

    const settleOne = (webhookId: string, workerId: string, s: Settlement, now: number): boolean => {
      const settle = this.stmt.settle;
      let changes: number;
      switch (s.status) {
        case 'processed':
          changes = settle.run('processed', null, now, null, null, webhookId, workerId).changes;
          break;
        case 'quarantined':
          changes = settle.run(
            'quarantined',
            JSON.stringify(s.errors),
            null,
            null,
            null,
            webhookId,
            workerId,
          ).changes;
          break;
        case 'unhandled':
          changes = settle.run('unhandled', null, null, null, null, webhookId, workerId).changes;
          break;
        case 'failed':
          changes = settle.run('failed', null, null, s.error, s.nextAttemptAt, webhookId, workerId).changes;
          break;
      }
      if (changes !== 1) return false;
      if (s.status === 'processed') {
        for (const c of s.effects.lessonCompletions ?? []) {
          this.stmt.completion.run(c.userId, c.courseId, c.lessonId, c.completedAt);
        }
      }
      return true;
    };
    this.settleTx = db.transaction(settleOne);
    this.settleManyTx = db.transaction((workerId: string, items: readonly SettleItem[], now: number) =>
      items.map((item) => settleOne(item.webhookId, workerId, item.settlement, now)),
    );
  }

  /** How many insert transactions (fsyncs) have committed; lets tests observe group commit. */
  get commitCount(): number {
    return this.commits;
  }

  insertDelivery(delivery: NewDelivery): Promise<InsertOutcome> {
    if (this.closed) return Promise.reject(closedError());
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
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: InsertOutcome[];
    try {
      outcomes = this.insertBatch(batch.map((p) => p.delivery));
      this.commits++;
    } catch (error) {
      const failure = new StoreError(
        'store_unavailable',
        'The SQLite store could not commit the delivery; the sender should retry later',
        { cause: error },
      );
      for (const p of batch) p.reject(failure);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outcomes[i]!);
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
    const type = query.type ?? null;
    const status = query.status ?? null;
    const rows = this.run(() =>
      this.stmt.list.all(type, type, status, status, before, before, query.limit + 1),
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      events: page.map(toSummary),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.seq) : null,
    };
  }

  async claimDue(workerId: string, now: number, leaseMs: number, limit: number): Promise<ClaimedEvent[]> {
    return this.run(() => this.claimTx(workerId, now, leaseMs, limit));
  }

  async settle(webhookId: string, workerId: string, settlement: Settlement, now: number): Promise<boolean> {
    return this.run(() => this.settleTx(webhookId, workerId, settlement, now));
  }

  async settleMany(workerId: string, items: readonly SettleItem[], now: number): Promise<boolean[]> {
    return this.run(() => this.settleManyTx(workerId, items, now));
  }

  async requeue(webhookId: string, now: number): Promise<boolean> {
    return this.run(() => this.stmt.requeue.run(now, webhookId).changes === 1);
  }

  async nextDueAt(): Promise<number | null> {
    return this.run(() => this.stmt.nextDue.get()?.due ?? null);
  }

  async getProgress(query: ProgressQuery): Promise<CourseProgress[]> {
    const user = query.userId ?? null;
    const course = query.courseId ?? null;
    const rows = this.run(() => this.stmt.progress.all(user, user, course, course));
    const out: CourseProgress[] = [];
    let current: CourseProgress | undefined;
    for (const r of rows) {
      if (current === undefined || current.userId !== r.user_id || current.courseId !== r.course_id) {
        current = {
          userId: r.user_id,
          courseId: r.course_id,
          completedLessons: 0,
          lessonIds: [],
          lastCompletedAt: r.completed_at,
        };
        out.push(current);
      }
      current.completedLessons++;
      current.lessonIds.push(r.lesson_id);
      current.lastCompletedAt = Math.max(current.lastCompletedAt, r.completed_at);
    }
    return out;
  }

  async ping(): Promise<void> {
    this.run(() => this.stmt.ping.get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
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

function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) {
    throw new StoreError(
      'invalid_cursor',
      'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
    );
  }
  return Number(match[1]);
}
