// Every SQLite write the store makes, as plain functions over one better-sqlite3 connection: the
// schema, group-committed inserts, settlements and requeues (claims are kept in SqliteStore's memory). SqliteStore runs them in
// its own thread for ':memory:' databases and, for files, in the writer worker (SqliteWriterWorker)
// that owns the write connection, so their fsyncs never block the HTTP thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { EventStatus, InsertOutcome, NewDelivery, Settlement } from './Store.js';

export const sqliteSchema = `
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

/**
 * Opens a connection in WAL mode with synchronous=FULL (each commit is fsync'd) and, unless told
 * otherwise, creates the schema if needed. Throws what better-sqlite3 or mkdir throw.
 */
export function openSqliteDatabase(filename: string, { createSchema = true } = {}): Database.Database {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    if (createSchema) db.exec(sqliteSchema);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** A settlement of an event claimed in memory, with the attempt count its claim reached. */
export interface ClaimSettlement {
  webhookId: string;
  attempts: number;
  settlement: Settlement;
}

/** A delivery the database refused on its own (not its whole batch). */
export interface InsertFailure {
  failed: true;
  /** The row itself cannot be stored (too big, a constraint): retrying it can never succeed. */
  unstorable: boolean;
  message: string;
}

/** The write operations, each one transaction (one commit, one fsync). */
export interface SqliteWrites {
  /**
   * Upserts every delivery in one transaction; one outcome per delivery, in order. When that
   * transaction fails, each delivery is written in its own, so one bad row fails only itself.
   */
  insertBatch(items: readonly NewDelivery[]): (InsertOutcome | InsertFailure)[];
  /** Writes each claimed event's settlement (and effects) and its attempt count; false for a missing row. */
  settleClaims(items: readonly ClaimSettlement[], now: number): boolean[];
  requeue(webhookId: string, now: number): boolean;
  /** Reads one PRAGMA on this connection (e.g. `synchronous`), so tests see the committing connection's settings. */
  readPragma(name: string): unknown;
}

// Errors that belong to the row, not to the database's state (a full disk, a lock, I/O).
const rowErrorCodes = /^SQLITE_(TOOBIG|MISMATCH|CONSTRAINT)/;

function insertFailure(error: unknown): InsertFailure {
  const code = (error as { code?: unknown }).code;
  return {
    failed: true,
    unstorable: typeof code === 'string' && rowErrorCodes.test(code),
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Prepares the write statements once on `db`. */
export function createSqliteWrites(db: Database.Database): SqliteWrites {
  const insert = db.prepare<
    [string, string | null, string, Buffer, string, string | null, number, number | null],
    { status: EventStatus; deliveries_seen: number }
  >(
    `INSERT INTO webhook_events
       (webhook_id, event_type, status, body, headers, errors, received_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (webhook_id) DO UPDATE SET deliveries_seen = deliveries_seen + 1
     RETURNING status, deliveries_seen`,
  );
  const settle = db.prepare<
    [string, string | null, number | null, string | null, number | null, number, string],
    unknown
  >(
    // The claim itself lives in SqliteStore's memory (one process owns an SQLite file), so the
    // attempt it counted is written here, with the outcome: one row write per processed event.
    `UPDATE webhook_events
     SET status = ?, errors = ?, processed_at = ?, last_error = ?, next_attempt_at = ?, attempts = ?,
         claimed_by = NULL, lease_until = NULL
     WHERE webhook_id = ?`,
  );
  const requeue = db.prepare<[number, string], unknown>(
    `UPDATE webhook_events
     SET status = 'received', attempts = 0, next_attempt_at = ?, claimed_by = NULL, lease_until = NULL
     WHERE webhook_id = ?`,
  );
  const completion = db.prepare<[string, string, string, number], unknown>(
    `INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, course_id, lesson_id)
     DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
  );

  const settleOne = ({ webhookId, attempts, settlement: s }: ClaimSettlement, now: number): boolean => {
    let changes: number;
    switch (s.status) {
      case 'processed':
        changes = settle.run('processed', null, now, null, null, attempts, webhookId).changes;
        break;
      case 'quarantined':
        changes = settle.run(
          'quarantined',
          JSON.stringify(s.errors),
          null,
          null,
          null,
          attempts,
          webhookId,
        ).changes;
        break;
      case 'unhandled':
        changes = settle.run('unhandled', null, null, null, null, attempts, webhookId).changes;
        break;
      case 'failed':
        changes = settle.run('failed', null, null, s.error, s.nextAttemptAt, attempts, webhookId).changes;
        break;
    }
    if (changes !== 1) return false;
    if (s.status === 'processed') {
      for (const c of s.effects.lessonCompletions ?? []) {
        completion.run(c.userId, c.courseId, c.lessonId, c.completedAt);
      }
    }
    return true;
  };

  const insertAll = db.transaction((items: readonly NewDelivery[]) =>
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

  return {
    insertBatch: (items: readonly NewDelivery[]) => {
      try {
        return insertAll(items);
      } catch (error) {
        if (items.length === 1) return [insertFailure(error)];
        return items.map((item) => {
          try {
            return insertAll([item])[0]!;
          } catch (rowError) {
            return insertFailure(rowError);
          }
        });
      }
    },
    settleClaims: db.transaction((items: readonly ClaimSettlement[], now: number) =>
      items.map((item) => settleOne(item, now)),
    ),
    requeue: (webhookId: string, now: number) => requeue.run(now, webhookId).changes === 1,
    readPragma: (name: string) => {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not a PRAGMA name: ${name}`);
      return db.pragma(name, { simple: true });
    },
  };
}
