// The SQLite dialect of the store (better-sqlite3, WAL, synchronous=FULL: every commit is
// fsync'd). StoreCore does the group commit; this file holds the SQL and the threads.
//
// Writer thread: for a database file, every write (inserts, settlements, requeues) runs in a
// worker thread that owns the write connection (SqliteWriter / SqliteWriterWorker), so commits
// and their fsyncs never block the HTTP thread, and batches keep forming while a commit runs. Reads
// stay on this thread's own connection (WAL lets them run beside the writer; they see every commit
// that has been acknowledged). ':memory:' databases cannot be shared between connections, so they
// write on this thread.
//
// Claims live in memory (SqliteClaims): one process owns the file (SqliteFileLock). Each claim
// round writes its attempt counts (and gives up events claimed maxAttempts times unsettled) before
// the events are handed out, so a handler that crashes the process still counts.
import type Database from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import type { ForwardOutbox, ReforwardedBatch } from '../../forwarding/outbox/ForwardOutbox.js';
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import { type ClaimedRow, outboxSqliteReads, toOutboxItem } from '../../forwarding/outbox/outboxSqlite.js';
import type { AnyReadModel } from '../../readModels/ReadModel.js';
import type { EventRow, ExportRow, ExportSizeRow } from '../core/eventRow.js';
import { exportColumns, exportSizeColumns, summaryColumns } from '../core/eventRow.js';
import type { PendingInsertLimits } from '../core/PendingInsertLimit.js';
import type { ClaimedEvent, NewDelivery } from '../core/Store.js';
import {
  type EventFilter,
  type ExportRowFilter,
  type InsertRow,
  type RowOutcome,
  StoreCore,
} from '../core/StoreCore.js';
import type { SettleRow } from '../core/settlementColumns.js';
import { type DueRow, SqliteClaims } from './SqliteClaims.js';
import { lockSqliteFile, type SqliteFileLock } from './SqliteFileLock.js';
import { openSqliteDatabase } from './SqliteSchema.js';
import { SqliteWriter } from './SqliteWriter.js';
import { createSqliteWrites, type SqliteWrites } from './SqliteWrites.js';

export interface SqliteStoreOptions extends PendingInsertLimits {
  /** A file path, or ':memory:' (tests only: not durable). The parent folder is created. */
  filename: string;
  /**
   * Run writes (and their fsyncs) in a worker thread that owns the write connection (default true
   * for a file; always false for ':memory:').
   */
  writerThread?: boolean;
  /** The destinations an eligible event gets outbox rows for, written with it (default none). */
  outboxRoutes?: readonly OutboxRoute[];
}

/** SqliteWrites as the store calls them: in the writer thread for a file, on this thread for :memory:. */
export type AsyncWrites = {
  [K in keyof SqliteWrites]: (...args: Parameters<SqliteWrites[K]>) => Promise<ReturnType<SqliteWrites[K]>>;
};

// Errors that belong to the row, not to the database's state (a full disk, a lock, I/O).
const rowErrorCodes = /^SQLITE_(TOOBIG|MISMATCH|CONSTRAINT)/;

/**
 * The export's walk, in export order from a cursor, filtered and limited: rows and sizes share it.
 * INDEXED BY: the walk must follow the export order and stop after `limit` rows; the type or
 * status index would read and sort every matching row for each page.
 */
const exportWalk = `FROM webhook_events INDEXED BY webhook_events_received
         WHERE (received_at, webhook_id) > (?, ?) AND received_at >= ? AND received_at < ?
           AND (? IS NULL OR type IN (SELECT value FROM json_each(?)))
           AND (? IS NULL OR status IN (SELECT value FROM json_each(?)))
         ORDER BY received_at, webhook_id LIMIT ?`;

/** exportWalk's parameters: the cursor, since, until, the type and status lists (each twice), limit. */
type ExportWalkParameters = [
  number,
  string,
  number,
  number,
  string | null,
  string | null,
  string | null,
  string | null,
  number,
];

/**
 * Insert batches on their way to the writer thread at once: while it commits one, the deliveries of
 * the next turns are already queued at the thread instead of a reply's round trip away.
 */
const writerBatchesInFlight = 4;

/**
 * Opens (and creates if needed) an SQLite event store.
 *
 * @example
 * const store = new SqliteStore({ filename: '.data/receiver.sqlite' });
 * const outcome = await store.insertDelivery(delivery); // committed and fsync'd here
 * await store.close();
 */
export class SqliteStore extends StoreCore {
  readonly filename: string;
  protected readonly databaseName = 'SQLite';
  // Protected for test-support's InspectableSqliteStore (query plans, the writer's pragmas).
  protected readonly db: Database.Database;
  private readonly stmt;
  protected readonly writes: AsyncWrites;
  private readonly writer: SqliteWriter | undefined;
  private readonly lock: SqliteFileLock | undefined;
  private readonly claims = new SqliteClaims();

  constructor(options: SqliteStoreOptions) {
    super(options);
    this.filename = options.filename;
    try {
      // Locked before anything touches the database, so a refused process changes nothing.
      this.lock = options.filename === ':memory:' ? undefined : lockSqliteFile(options.filename);
      // Opened (and migrated) here first, so the schema is current before the writer thread connects.
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
        `SELECT ${summaryColumns}, body, headers FROM webhook_events WHERE webhook_id = ?`,
      ),
      // One per filter: see listStatement.
      list: {
        all: db.prepare<[number, number], EventRow>(
          `SELECT ${summaryColumns} FROM webhook_events WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        type: db.prepare<[string, number, number], EventRow>(
          `SELECT ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_type
           WHERE type = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        status: db.prepare<[string, number, number], EventRow>(
          `SELECT ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_status
           WHERE status = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
        both: db.prepare<[string, string, number, number], EventRow>(
          `SELECT ${summaryColumns} FROM webhook_events INDEXED BY webhook_events_type
           WHERE type = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        ),
      },
      export: db.prepare<ExportWalkParameters, ExportRow>(`SELECT ${exportColumns} ${exportWalk}`),
      // The same walk with each body's length (from the row's header: the body is not read).
      exportSizes: db.prepare<ExportWalkParameters, ExportSizeRow>(
        `SELECT ${exportSizeColumns} ${exportWalk}`,
      ),
      due: db.prepare<[number, string, number], DueRow>(
        // `+status` keeps the planner off the status index: walking the partial due index in order
        // stops after `limit` rows, where the status index would read and sort the whole backlog.
        `SELECT webhook_id, type, body, attempts, traceparent FROM webhook_events
         WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
           AND +status IN ('received', 'failed')
           AND webhook_id NOT IN (SELECT value FROM json_each(?))
         ORDER BY next_attempt_at, seq LIMIT ?`,
      ),
      ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    };

    if (options.filename !== ':memory:' && options.writerThread !== false) {
      const writer = new SqliteWriter(options.filename, options.outboxRoutes ?? []);
      this.writer = writer;
      this.writes = writer;
    } else {
      const local = createSqliteWrites(db, options.outboxRoutes ?? []);
      this.writes = {
        insertBatch: async (...args) => local.insertBatch(...args),
        recordClaims: async (...args) => local.recordClaims(...args),
        settleClaims: async (...args) => local.settleClaims(...args),
        requeue: async (...args) => local.requeue(...args),
        probeWrite: async (...args) => local.probeWrite(...args),
        readPragma: async (...args) => local.readPragma(...args),
        outbox: async (...args) => local.outbox(...args),
      };
    }
  }

  /**
   * One statement per filter: a `(? IS NULL OR col = ?)` condition keeps SQLite off the index and
   * walks the whole table. Its parameters are the filters given, then `seq` and `limit`.
   */
  protected listStatement(
    type: string | null,
    status: string | null,
  ): Database.Statement<unknown[], EventRow> {
    const list = this.stmt.list;
    if (type !== null)
      return (status !== null ? list.both : list.type) as Database.Statement<unknown[], EventRow>;
    return (status !== null ? list.status : list.all) as Database.Statement<unknown[], EventRow>;
  }

  /**
   * The writer thread answers insert batches in the order they were sent and writes those that queue
   * during a commit in one transaction, so the next turns' batches go to it at once.
   */
  protected override get batchesInFlight(): number {
    return this.writer === undefined ? 1 : writerBatchesInFlight;
  }

  /** A compact copy of a body that is a view into a larger buffer: a fresh row would keep all of it. */
  protected override retain(delivery: NewDelivery): NewDelivery {
    const body = compactCopy(delivery.body);
    return body === delivery.body ? delivery : { ...delivery, body };
  }

  protected override created(d: NewDelivery): void {
    if (d.status === 'received')
      this.claims.created(d.webhookId, d.type, d.body, d.receivedAt, d.event, d.traceparent);
  }

  protected insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]> {
    return this.writes.insertBatch(rows);
  }

  protected selectEvent(webhookId: string): EventRow | undefined {
    return this.stmt.get.get(webhookId);
  }

  protected selectEvents({ type, status, before, limit }: EventFilter): EventRow[] {
    const args = [type, status, before ?? Number.MAX_SAFE_INTEGER, limit].filter((a) => a !== null);
    return this.listStatement(type, status).all(...args);
  }

  protected selectExportRows(filter: ExportRowFilter): ExportRow[] {
    return this.exportStatement.all(...exportParameters(filter));
  }

  protected get exportStatement(): Database.Statement<ExportWalkParameters, ExportRow> {
    return this.stmt.export;
  }

  protected selectExportSizes(filter: ExportRowFilter): ExportSizeRow[] {
    return this.stmt.exportSizes.all(...exportParameters(filter));
  }

  protected override openOutbox(): ForwardOutbox {
    const reads = outboxSqliteReads(this.db);
    return {
      claim: async (destination, owner, now, leaseMs, limit) => {
        this.throwIfWriterStopped();
        const rows = await this.writes.outbox('claim', [destination, owner, now, leaseMs, limit]);
        return (rows as ClaimedRow[]).map((r) => toOutboxItem(r, destination));
      },
      settle: async (owner, outcomes) => {
        if (outcomes.length > 0) await this.writes.outbox('settle', [owner, outcomes]);
      },
      reforward: async (webhookId, destinations, now) =>
        (await this.writes.outbox('reforward', [webhookId, destinations, now])) as number,
      deliveriesOf: async (webhookId) => reads.deliveriesOf(webhookId),
      backlog: async () => reads.backlog(),
      deadLetters: async (filter, after, limit) => reads.deadLetters(filter, after, limit),
      countDeadLetters: async (filter, cap) => reads.countDeadLetters(filter, cap),
      reforwardDead: async (filter, after, limit, now) =>
        (await this.writes.outbox('reforwardDead', [filter, after, limit, now])) as ReforwardedBatch,
      backlogSummary: async (destinations, cap) => reads.backlogSummary(destinations, cap),
    };
  }

  protected openReader(model: AnyReadModel): object {
    return model.sqlite.reader(this.db) as object;
  }

  protected async claimRows(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts: number | undefined,
  ): Promise<ClaimedEvent[]> {
    this.throwIfWriterStopped();
    const exhausted: DueRow[] = [];
    const claimed = this.claims.claim(
      workerId,
      now,
      leaseMs,
      limit,
      (at, leased, wanted) => this.stmt.due.all(at, JSON.stringify(leased), wanted),
      maxAttempts === undefined ? undefined : { maxAttempts, giveUp: (row) => exhausted.push(row) },
    );
    if (claimed.length === 0 && exhausted.length === 0) return claimed;
    try {
      await this.writes.recordClaims(
        claimed.map((c) => ({ webhookId: c.webhookId, attempts: c.attempts })),
        exhausted.map((r) => ({ webhookId: r.webhook_id, attempts: r.attempts })),
      );
    } catch (error) {
      this.claims.released(claimed.map((c) => c.webhookId));
      throw error;
    }
    return claimed;
  }

  protected settleRows(workerId: string, rows: readonly SettleRow[]): Promise<boolean[]> {
    return this.claims.settle(workerId, rows, (held) => this.writes.settleClaims(held));
  }

  protected requeueRow(webhookId: string, now: number): Promise<boolean> {
    this.claims.requeued(webhookId);
    return this.writes.requeue(webhookId, now);
  }

  protected pingDatabase(): void {
    this.stmt.ping.get();
    // Reads would still work without the writer thread, but no delivery could be stored.
    this.throwIfWriterStopped();
  }

  protected override probeWrite(): Promise<void> {
    return this.writes.probeWrite(Date.now());
  }

  protected isRowError(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && rowErrorCodes.test(code);
  }

  private throwIfWriterStopped(): void {
    const failure = this.writer?.failure;
    if (failure !== undefined && !this.isClosed) {
      throw new StoreError('store_unavailable', `The SQLite writer thread stopped: ${failure.message}`, {
        cause: failure,
      });
    }
  }

  protected async closeDatabase(): Promise<void> {
    // The writer answers every write already sent before it closes its connection.
    await this.writer?.close();
    this.db.close();
    this.lock?.release();
    this.claims.clear();
  }
}

/** A Buffer that owns exactly its bytes (not a view into a larger, shared ArrayBuffer). */
function compactCopy(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return Buffer.from(copy.buffer, 0, copy.byteLength);
}

function exportParameters({
  types,
  statuses,
  after,
  since,
  until,
  limit,
}: ExportRowFilter): ExportWalkParameters {
  const typeList = types === null ? null : JSON.stringify(types);
  const statusList = statuses === null ? null : JSON.stringify(statuses);
  return [after.receivedAt, after.webhookId, since, until, typeList, typeList, statusList, statusList, limit];
}
