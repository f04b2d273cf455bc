// Every SQLite write the store makes, as plain functions over one better-sqlite3 connection:
// group-committed inserts, settlements and requeues (claims live in memory: SqliteClaims).
// SqliteStore runs them on its own thread for ':memory:' databases and, for files, in the writer
// worker (SqliteWriterWorker) that owns the write connection, so their fsyncs never block the HTTP
// thread.
import type Database from 'better-sqlite3';
import { errorColumns } from './eventRow.js';
import type { ClaimSettlement } from './SqliteClaims.js';
import type { EventStatus } from './Store.js';
import type { InsertRow, RowOutcome } from './StoreCore.js';

/** The write operations, each one transaction (one commit, one fsync). */
export interface SqliteWrites {
  /** Upserts every row in one transaction; one outcome per row, in order. Throws if it fails. */
  insertBatch(rows: readonly InsertRow[]): RowOutcome[];
  /** Writes each claimed event's settlement (and completions) and its attempt count; false for a missing row. */
  settleClaims(items: readonly ClaimSettlement[]): boolean[];
  requeue(webhookId: string, now: number): boolean;
  /** Reads one PRAGMA on this connection (e.g. `synchronous`), so tests see the committing connection's settings. */
  readPragma(name: string): unknown;
}

/** Prepares the write statements once on `db`. */
export function createSqliteWrites(db: Database.Database): SqliteWrites {
  const insert = db.prepare<
    [
      string,
      string | null,
      string,
      Buffer,
      string,
      string | null,
      number | null,
      number,
      number | null,
      number,
    ],
    { status: EventStatus; deliveries_seen: number }
  >(
    `INSERT INTO webhook_events
       (webhook_id, event_type, status, body, headers, errors, error_count, received_at, next_attempt_at,
        deliveries_seen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (webhook_id) DO UPDATE SET deliveries_seen = deliveries_seen + excluded.deliveries_seen
     RETURNING status, deliveries_seen`,
  );
  const settle = db.prepare<
    [string, string | null, number | null, number | null, string | null, number | null, number, string],
    unknown
  >(
    // The claim itself lives in memory (one process owns an SQLite file), so the attempt it
    // counted is written here, with the outcome: one row write per processed event.
    `UPDATE webhook_events
     SET status = ?, errors = ?, error_count = ?, processed_at = ?, last_error = ?, next_attempt_at = ?,
         attempts = ?
     WHERE webhook_id = ?`,
  );
  const requeue = db.prepare<[number, string], unknown>(
    `UPDATE webhook_events SET status = 'received', attempts = 0, next_attempt_at = ? WHERE webhook_id = ?`,
  );
  const completion = db.prepare<[string, string, string, number], unknown>(
    `INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, course_id, lesson_id)
     DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
  );

  const settleOne = (s: ClaimSettlement): boolean => {
    const { changes } = settle.run(
      s.status,
      s.errors,
      s.errorCount,
      s.processedAt,
      s.lastError,
      s.nextAttemptAt,
      s.attempts,
      s.webhookId,
    );
    if (changes !== 1) return false;
    for (const c of s.completions) completion.run(c.userId, c.courseId, c.lessonId, c.completedAt);
    return true;
  };

  return {
    insertBatch: db.transaction((rows: readonly InsertRow[]) =>
      rows.map(({ delivery: d, copies }): RowOutcome => {
        const { errors, errorCount } = errorColumns(d.errors, d.errorCount);
        const row = insert.get(
          d.webhookId,
          d.type,
          d.status,
          d.body,
          JSON.stringify(d.headers),
          errors,
          errorCount,
          d.receivedAt,
          d.status === 'received' ? d.receivedAt : null,
          copies,
        )!;
        return {
          inserted: row.deliveries_seen === copies,
          status: row.status,
          deliveriesSeen: row.deliveries_seen,
        };
      }),
    ),
    settleClaims: db.transaction((items: readonly ClaimSettlement[]) => items.map(settleOne)),
    requeue: (webhookId: string, now: number) => requeue.run(now, webhookId).changes === 1,
    readPragma: (name: string) => {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not a PRAGMA name: ${name}`);
      return db.pragma(name, { simple: true });
    },
  };
}
