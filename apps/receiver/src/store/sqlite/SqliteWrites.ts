// Every SQLite write the store makes, as plain functions over one better-sqlite3 connection:
// group-committed inserts, claims' attempt counts, settlements and requeues (the leases themselves
// live in memory: SqliteClaims).
// SqliteStore runs them on its own thread for ':memory:' databases and, for files, in the writer
// worker (SqliteWriterWorker) that owns the write connection, so their fsyncs never block the HTTP
// thread.
import type Database from 'better-sqlite3';
import { type OutboxRoute, outboxPairs } from '../../forwarding/outbox/OutboxRoute.js';
import { type OutboxSqliteWrites, prepareOutboxSqlite } from '../../forwarding/outbox/outboxSqlite.js';
import { readModels } from '../../readModels/readModels.js';
import { errorColumns } from '../core/eventRow.js';
import type { EventStatus, ProcessingEffects } from '../core/Store.js';
import type { InsertRow, RowOutcome } from '../core/StoreCore.js';
import type { ClaimSettlement } from './SqliteClaims.js';

/** A claim's attempt number, as recordClaims writes it. */
export interface ClaimAttempt {
  webhookId: string;
  attempts: number;
}

/**
 * A row's INSERT values but its body: the headers and errors as the JSON text they are stored as.
 * The writer thread gets inserts in this form (SqliteWriterProtocol).
 */
export type InsertColumns = [
  webhookId: string,
  type: string | null,
  status: string,
  headers: string,
  errors: string | null,
  errorCount: number | null,
  receivedAt: number,
  traceparent: string | null,
  copies: number,
];

export function insertColumns({ delivery: d, copies }: InsertRow): InsertColumns {
  const { errors, errorCount } = errorColumns(d.errors, d.errorCount);
  return [
    d.webhookId,
    d.type,
    d.status,
    JSON.stringify(d.headers),
    errors,
    errorCount,
    d.receivedAt,
    d.traceparent ?? null,
    copies,
  ];
}

/**
 * The outcomes of an insert as they travel back: each row's status and its deliveries_seen after the
 * upsert, one pair after the other (a flat array of primitives clones far cheaper than objects).
 */
export type InsertResults = (EventStatus | number)[];

/** The outcomes `results` encode, for `rows` (whose copies tell a created row from a duplicate). */
export function insertOutcomes(results: InsertResults, rows: readonly { copies: number }[]): RowOutcome[] {
  return rows.map((r, i): RowOutcome => {
    const deliveriesSeen = results[2 * i + 1] as number;
    return { inserted: deliveriesSeen === r.copies, status: results[2 * i] as EventStatus, deliveriesSeen };
  });
}

/** A settlement's UPDATE values, as a settlement travels to the writer thread. */
export type SettleColumns = [
  webhookId: string,
  status: string,
  errors: string | null,
  errorCount: number | null,
  processedAt: number | null,
  lastError: string | null,
  nextAttemptAt: number | null,
  attempts: number,
];

export function settleColumns(s: ClaimSettlement): SettleColumns {
  return [
    s.webhookId,
    s.status,
    s.errors,
    s.errorCount,
    s.processedAt,
    s.lastError,
    s.nextAttemptAt,
    s.attempts,
  ];
}

/** Claim attempts as they travel: each event's webhook-id and attempt count, one pair after the other. */
export type ClaimAttempts = (string | number)[];

export function claimAttempts(claims: readonly ClaimAttempt[]): ClaimAttempts {
  const flat: ClaimAttempts = [];
  for (const c of claims) flat.push(c.webhookId, c.attempts);
  return flat;
}

/** The write operations, each one transaction (one commit, one fsync, but see recordClaims). */
export interface SqliteWrites {
  /** Upserts every row in one transaction; one outcome per row, in order. Throws if it fails. */
  insertBatch(rows: readonly InsertRow[]): RowOutcome[];
  /**
   * Writes the attempt count of each claimed event, and marks failed each exhausted one (claimed
   * its `attempts` times, never settled), in one transaction committed without an fsync.
   */
  recordClaims(claimed: readonly ClaimAttempt[], exhausted: readonly ClaimAttempt[]): void;
  /** Writes each claimed event's settlement (and its effects) and its attempt count; false for a missing row. */
  settleClaims(items: readonly ClaimSettlement[]): boolean[];
  requeue(webhookId: string, now: number): boolean;
  /** Rewrites the health row (committed without an fsync): throws what a full disk throws. */
  probeWrite(now: number): void;
  /** Reads one PRAGMA on this connection (e.g. `synchronous`), so tests see the committing connection's settings. */
  readPragma(name: string): unknown;
  /**
   * One of the forwarding outbox's writes (claims and outcomes), committed without an fsync: one
   * lost to a power cut only makes an (event, destination) forwarded again, which at-least-once allows.
   */
  outbox<M extends keyof OutboxSqliteWrites>(
    method: M,
    args: Parameters<OutboxSqliteWrites[M]>,
  ): ReturnType<OutboxSqliteWrites[M]>;
}

/**
 * The writes of one connection, with inserts, claims and settlements in their travelling form too
 * (SqliteWriterProtocol).
 */
export interface SqliteWriteConnection extends SqliteWrites {
  /** insertBatch over rows as insertColumns gives them, `bodies[i]` being row i's body. */
  insertRows(rows: readonly InsertColumns[], bodies: readonly Buffer[]): InsertResults;
  /** recordClaims over claimAttempts' pairs. */
  recordClaimAttempts(claimed: ClaimAttempts, exhausted: ClaimAttempts): void;
  /** settleClaims over settleColumns' rows, `effects[i]` being row i's effects. */
  settleRows(rows: readonly SettleColumns[], effects: readonly ProcessingEffects[]): boolean[];
}

/**
 * Prepares the write statements once on `db`. An insert or a settlement also writes the outbox rows
 * `routes` ask for, in its transaction.
 */
export function createSqliteWrites(
  db: Database.Database,
  routes: readonly OutboxRoute[] = [],
): SqliteWriteConnection {
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
      string | null,
    ],
    [EventStatus, number]
  >(
    `INSERT INTO webhook_events
       (webhook_id, type, status, body, headers, errors, error_count, received_at, next_attempt_at,
        deliveries_seen, traceparent)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (webhook_id) DO UPDATE SET deliveries_seen = deliveries_seen + excluded.deliveries_seen
     RETURNING status, deliveries_seen`,
  );
  // Rows as [status, deliveries_seen]: no object per row.
  insert.raw(true);
  const settle = db.prepare<
    [string, string | null, number | null, number | null, string | null, number | null, number, string],
    unknown
  >(
    // The lease lives in memory (one process owns an SQLite file); the attempt it counted was
    // written by recordClaims and is written again with the outcome, so the row ends as settled.
    `UPDATE webhook_events
     SET status = ?, errors = ?, error_count = ?, processed_at = ?, last_error = ?, next_attempt_at = ?,
         attempts = ?
     WHERE webhook_id = ?`,
  );
  const claimAttempt = db.prepare<[number, string], unknown>(
    `UPDATE webhook_events SET attempts = ? WHERE webhook_id = ?`,
  );
  // Only while the row is as it was read: a requeue meanwhile (attempts 0) gives it a fresh start.
  const giveUp = db.prepare<[string, number], unknown>(
    `UPDATE webhook_events
     SET status = 'failed', next_attempt_at = NULL,
         last_error = 'claimed ' || attempts || ' times without being settled: the processor crashed or stalled on it each time; requeue it once fixed'
     WHERE webhook_id = ? AND attempts = ? AND status IN ('received', 'failed')`,
  );
  const recordClaims = db.transaction((claimed: ClaimAttempts, exhausted: ClaimAttempts) => {
    for (let i = 0; i < claimed.length; i += 2)
      claimAttempt.run(claimed[i + 1] as number, claimed[i] as string);
    for (let i = 0; i < exhausted.length; i += 2)
      giveUp.run(exhausted[i] as string, exhausted[i + 1] as number);
  });
  const probe = db.prepare<[number], unknown>(
    `INSERT INTO receiver_health (id, probed_at) VALUES (1, ?)
     ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`,
  );
  /**
   * Runs `write` in a commit without an fsync, then puts FULL back for everything else. The PRAGMAs
   * are not prepared once: SQLite applies their setting while compiling them, so a prepared
   * `PRAGMA synchronous = ...` changes nothing when run (fsync-before-200.test.ts counts the syncs).
   */
  const unsynced = <T>(write: () => T): T => {
    db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      db.pragma('synchronous = FULL');
    }
  };
  const requeue = db.prepare<[number, string], unknown>(
    `UPDATE webhook_events SET status = 'received', attempts = 0, next_attempt_at = ? WHERE webhook_id = ?`,
  );
  const outbox = prepareOutboxSqlite(db);
  const typeOf = db.prepare<[string], { type: string | null }>(
    'SELECT type FROM webhook_events WHERE webhook_id = ?',
  );
  // Each read model's writes, prepared on this (the writing) connection.
  const appliers = readModels.map((m) => ({ key: m.effectKey, apply: m.sqlite.prepareApply(db) }));

  const settleOne = (row: SettleColumns, effects: ProcessingEffects): boolean => {
    const [webhookId, status, errors, errorCount, processedAt, lastError, nextAttemptAt, attempts] = row;
    const { changes } = settle.run(
      status,
      errors,
      errorCount,
      processedAt,
      lastError,
      nextAttemptAt,
      attempts,
      webhookId,
    );
    if (changes !== 1) return false;
    // A replay that makes a quarantined event valid makes it forwardable; rows it has stay as they are.
    if (routes.length > 0 && (status === 'processed' || status === 'unhandled')) {
      const type = typeOf.get(webhookId)?.type ?? null;
      outbox.enqueue(outboxPairs([{ webhookId, type, status }], routes), processedAt ?? Date.now());
    }
    for (const { key, apply } of appliers) {
      const list = effects[key];
      if (list !== undefined && list.length > 0) apply({ webhookId, effects: list });
    }
    return true;
  };

  const settleRows = db.transaction((rows: readonly SettleColumns[], effects: readonly ProcessingEffects[]) =>
    rows.map((row, i) => settleOne(row, effects[i]!)),
  );

  const insertRows = db.transaction(
    (rows: readonly InsertColumns[], bodies: readonly Buffer[]): InsertResults => {
      const results: InsertResults = [];
      for (let i = 0; i < rows.length; i++) {
        const [webhookId, type, status, headers, errors, errorCount, receivedAt, traceparent, copies] =
          rows[i]!;
        const [stored, seen] = insert.get(
          webhookId,
          type,
          status,
          bodies[i]!,
          headers,
          errors,
          errorCount,
          receivedAt,
          status === 'received' ? receivedAt : null,
          copies,
          traceparent,
        )!;
        results.push(stored, seen);
        if (routes.length > 0 && seen === copies)
          outbox.enqueue(outboxPairs([{ webhookId, type, status }], routes), receivedAt);
      }
      return results;
    },
  );

  const recordClaimsUnsynced = (claimed: ClaimAttempts, exhausted: ClaimAttempts) =>
    unsynced(() => recordClaims(claimed, exhausted));
  const settleRowsUnsynced = (rows: readonly SettleColumns[], effects: readonly ProcessingEffects[]) =>
    unsynced(() => settleRows(rows, effects));

  return {
    insertRows,
    insertBatch: (rows) =>
      insertOutcomes(
        insertRows(
          rows.map(insertColumns),
          rows.map((r) => r.delivery.body),
        ),
        rows,
      ),
    // The count must survive the process (a handler that crashes it is the case it is for), which
    // the write() of the commit gives; an fsync would only add surviving a power cut, at the cost
    // of one more sync of the writer thread per claim round, the thread every delivery's commit
    // waits for. The next fsync'd commit (any insert) makes it durable too. synchronous is set back
    // to FULL before anything else runs on this connection.
    recordClaimAttempts: recordClaimsUnsynced,
    // A settlement needs no fsync of its own either: it commits the outcome, the read models'
    // effects and the outbox rows in one transaction, and WAL frames reach the disk in order, so a
    // power cut can only take the whole of a recent settlement back, never half of it. The event is
    // then still claimable and is processed again, effects included; the 2xx's insert is untouched.
    // That saves one sync of the writer thread per processing batch.
    settleRows: settleRowsUnsynced,
    // The same two over objects, as this thread's callers pass them.
    recordClaims: (claimed, exhausted) =>
      recordClaimsUnsynced(claimAttempts(claimed), claimAttempts(exhausted)),
    settleClaims: (items) =>
      settleRowsUnsynced(
        items.map(settleColumns),
        items.map((i) => i.effects),
      ),
    requeue: (webhookId: string, now: number) => requeue.run(now, webhookId).changes === 1,
    // Only asked while inserts fail: it needs a page of the WAL, as any commit does.
    probeWrite: (now: number) => {
      unsynced(() => probe.run(now));
    },
    readPragma: (name: string) => {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not a PRAGMA name: ${name}`);
      return db.pragma(name, { simple: true });
    },
    outbox: (method, args) =>
      unsynced(() => (outbox[method] as (...a: unknown[]) => unknown)(...args)) as ReturnType<
        OutboxSqliteWrites[typeof method]
      >,
  };
}
