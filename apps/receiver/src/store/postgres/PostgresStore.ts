// The PostgreSQL dialect of the store, for several receiver instances sharing one database.
// StoreCore does the group commit; this file holds the SQL and the pool (PostgresConnection connects).
//
// - Deduplication: the UNIQUE webhook_id decides (INSERT … ON CONFLICT DO UPDATE), so concurrent
//   copies of one delivery reaching different instances store one row.
// - Inserts: one multi-row upsert per batch. synchronous_commit is forced on for the session, so a
//   resolved promise means the row is durable.
// - Claims: while a worker of this process claims, new rows are written already leased to this
//   store and handed to it from memory (PostgresFreshRows); every other due row through
//   postgresClaims.ts: FOR UPDATE SKIP LOCKED plus a lease (claimed_by, lease_until), walking the
//   due index in order. settle() writes the status in one statement that only matches
//   while the caller still holds the claim, then the read models' effects of the events it
//   matched, in ONE transaction: a worker whose lease was taken over cannot apply anything.
// - Outages: every failure surfaces as StoreError('store_unavailable'); pg.Pool drops
//   broken connections and opens new ones, so the store recovers by itself when the database
//   comes back.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { StoreError } from '../../errors.js';
import type { ForwardOutbox } from '../../forwarding/outbox/ForwardOutbox.js';
import { type OutboxRoute, outboxPairs } from '../../forwarding/outbox/OutboxRoute.js';
import {
  enqueueOutboxPostgres,
  outboxInsertCte,
  outboxInsertParameters,
  outboxPostgres,
} from '../../forwarding/outbox/outboxPostgres.js';
import type { AnyReadModel } from '../../readModels/ReadModel.js';
import { readModels } from '../../readModels/readModels.js';
import type { EventRow, ExportRow, ExportSizeRow } from '../core/eventRow.js';
import { errorColumns, exportColumns, summaryColumns } from '../core/eventRow.js';
import type { PendingInsertLimits } from '../core/PendingInsertLimit.js';
import type { ClaimedEvent } from '../core/Store.js';
import {
  type EventFilter,
  type ExportRowFilter,
  type InsertRow,
  type RowOutcome,
  StoreCore,
} from '../core/StoreCore.js';
import { effectBatches, type SettleRow } from '../core/settlementColumns.js';
import { postgresSchemaPattern } from '../parseDatabaseUrl.js';
import {
  connectionConfig,
  describeError,
  migrateWithRetry,
  type PostgresConnectionOptions,
  splitSchemaParam,
} from './PostgresConnection.js';
import { type LeaseClock, PostgresFreshRows } from './PostgresFreshRows.js';
import { quoteIdentifier } from './PostgresMigrations.js';
import { claimDueOn, databaseNowMs } from './postgresClaims.js';

export interface PostgresStoreOptions extends PendingInsertLimits, PostgresConnectionOptions {
  /** Schema holding the tables (created if missing). Default: the URL's `?schema=`, else `public`. */
  schema?: string;
  /** Most connections this instance opens (default 10). */
  poolSize?: number;
  /** Client-side limit per statement, so a stalled database answers 503 instead of hanging (default 15000 ms). */
  queryTimeoutMs?: number;
  /**
   * Longest wait for a row lock before the statement fails (503 for deliveries; default 5000 ms,
   * 0 = no limit). Bounds how long a dead instance's locks can stall the others.
   */
  lockTimeoutMs?: number;
  /**
   * Which clock times leases: `database` (default: the server's, so instances with skewed clocks
   * agree) or `caller` (the `now` passed to claimDue; for tests that move time by hand).
   */
  leaseClock?: LeaseClock;
  /** The destinations an eligible event gets outbox rows for, written with it (default none). */
  outboxRoutes?: readonly OutboxRoute[];
}

/**
 * Without a known reason to look (rows written unleased, a retry falling due, a requeue), due rows
 * are searched for in the table this often (in the callers' clock) while fresh rows keep the
 * processor busy: another instance's expired leases, say.
 */
const rescanIntervalMs = 1000;

/** The export's walk, in export order from a cursor, filtered and limited: rows and sizes share it. */
const exportWalk = `FROM webhook_events
    WHERE (received_at, webhook_id) > ($1::bigint, $2::text) AND received_at >= $3 AND received_at < $4
      AND ($5::text[] IS NULL OR type = ANY($5)) AND ($6::text[] IS NULL OR status = ANY($6))
    ORDER BY received_at, webhook_id LIMIT $7`;

const sql = {
  // Rows $12 marks are leased to $13 for $14 ms and their first attempt counted (PostgresFreshRows),
  // timed by the database's clock or, with $15, from their received_at. The bodies are $17, one after
  // another, each from its byte $4 (counting from 1) for $16 bytes: a Buffer parameter travels in
  // binary, where an array of them goes as hex text that the server parses element by element
  // (about a tenth of its CPU per delivery).
  insert: `
    INSERT INTO webhook_events
      (webhook_id, type, status, body, headers, errors, received_at, next_attempt_at, deliveries_seen,
       error_count, traceparent, claimed_by, lease_until, attempts)
    SELECT d.webhook_id, d.type, d.status, substring($17::bytea FROM d.body_start FOR d.body_length),
           d.headers, d.errors, d.received_at, d.next_attempt_at, d.deliveries_seen, d.error_count,
           d.traceparent,
           CASE WHEN d.leased THEN $13::text END,
           CASE WHEN d.leased THEN (CASE WHEN $15::boolean THEN d.received_at ELSE ${databaseNowMs} END)
                                   + $14::bigint END,
           CASE WHEN d.leased THEN 1 ELSE 0 END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[],
                $7::bigint[], $8::bigint[], $9::int[], $10::int[], $11::text[], $12::boolean[], $16::int[])
      AS d(webhook_id, type, status, body_start, headers, errors, received_at, next_attempt_at,
           deliveries_seen, error_count, traceparent, leased, body_length)
    -- One lock order for every instance: two batches sharing webhook-ids cannot deadlock.
    ORDER BY d.webhook_id COLLATE "C"
    ON CONFLICT (webhook_id) DO UPDATE
      SET deliveries_seen = webhook_events.deliveries_seen + excluded.deliveries_seen
    RETURNING webhook_id, status, deliveries_seen, (xmax = 0) AS inserted, lease_until`,
  get: `SELECT ${summaryColumns}, body, headers FROM webhook_events WHERE webhook_id = $1`,
  list: `
    SELECT ${summaryColumns} FROM webhook_events
    WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR status = $2)
      AND ($3::bigint IS NULL OR seq < $3)
    ORDER BY seq DESC LIMIT $4`,
  // The row comparison walks webhook_events_received from the cursor (webhook_id is COLLATE "C",
  // the byte order SQLite uses too).
  export: `SELECT ${exportColumns} ${exportWalk}`,
  // The same walk with each body's length (octet_length reads a TOASTed value's header, not the value).
  exportSizes: `SELECT webhook_id, received_at, octet_length(body) AS body_bytes ${exportWalk}`,
  // Settlements and the lease release in one statement for a whole batch. Only rows still held by
  // their $2 (the settling worker, or the fresh rows' holder) are updated; the read models write the
  // effects of those only, in the same transaction.
  settle: `
    WITH items AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[], $6::text[],
                           $7::bigint[], $8::int[], $9::int[])
        AS i(webhook_id, holder, status, errors, processed_at, last_error, next_attempt_at, attempts,
             error_count))
    UPDATE webhook_events e
    SET status = i.status, errors = i.errors, error_count = i.error_count, processed_at = i.processed_at,
        last_error = i.last_error,
        next_attempt_at = i.next_attempt_at, claimed_by = NULL, lease_until = NULL
    FROM items i
    WHERE e.webhook_id = i.webhook_id AND e.claimed_by = i.holder
      AND (i.attempts IS NULL OR e.attempts = i.attempts)
    RETURNING e.webhook_id, e.type`,
  // Fresh rows nobody took: their lease cleared and their attempt uncounted, as if never leased.
  release: `
    UPDATE webhook_events SET claimed_by = NULL, lease_until = NULL, attempts = attempts - 1
    WHERE webhook_id = ANY($1::text[]) AND claimed_by = $2`,
  requeue: `
    UPDATE webhook_events
    SET status = 'received', attempts = 0, next_attempt_at = $1, claimed_by = NULL, lease_until = NULL
    WHERE webhook_id = $2`,
};

/**
 * The statements each delivery runs, prepared once per pooled connection under these names: the
 * server then neither parses nor plans them again (a sixth of its CPU per delivery). A named
 * statement lives in its session, which a direct connection or a session-mode pooler keeps.
 */
const statementNames = {
  insert: 'webhook_events_insert',
  insertWithOutbox: 'webhook_events_insert_outbox',
  settle: 'webhook_events_settle',
} as const;

/**
 * A Store on PostgreSQL. Use `PostgresStore.open()`, which migrates the schema first.
 *
 * @example
 * const store = await PostgresStore.open({ url: 'postgres://app@db:5432/webhooks?schema=receiver' });
 * const outcome = await store.insertDelivery(delivery); // committed (durably) here
 * await store.close();
 */
export class PostgresStore extends StoreCore {
  readonly schema: string;
  readonly poolSize: number;
  protected readonly databaseName = 'PostgreSQL';
  /** Rows per upsert statement (an array parameter per column, the bodies in one buffer: no parameter-count limit applies). */
  protected override readonly maxBatch = 1000;
  private readonly pool: pg.Pool;
  private readonly leaseClock: LeaseClock;
  private readonly outboxRoutes: readonly OutboxRoute[];
  private readonly fresh: PostgresFreshRows;
  /** Due rows may be in the table that no claim has seen (written unleased, released, requeued). */
  private rescanNeeded = true;
  /** When the table was last searched for due rows, in the callers' clock. */
  private lastScanAt = Number.NEGATIVE_INFINITY;
  /** The earliest retry a settlement here scheduled since the last search. */
  private nextRetryAt = Number.POSITIVE_INFINITY;

  /** Connects lazily and does NOT migrate: prefer `PostgresStore.open()`. */
  constructor(options: PostgresStoreOptions) {
    super(options);
    const split = splitSchemaParam(options.url);
    const schema = options.schema ?? split.schema ?? 'public';
    if (!postgresSchemaPattern.test(schema)) {
      throw new StoreError(
        'unsupported_database',
        `database schema "${schema}" is not allowed: use lowercase letters, digits and _ (at most 63), starting with a letter or _`,
      );
    }
    const poolSize = options.poolSize ?? 10;
    if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
      throw new StoreError(
        'unsupported_database',
        `pool size ${poolSize} is not allowed: use a whole number ≥ 1`,
      );
    }
    this.schema = schema;
    this.poolSize = poolSize;
    this.leaseClock = options.leaseClock ?? 'database';
    this.outboxRoutes = options.outboxRoutes ?? [];
    this.fresh = new PostgresFreshRows(this.leaseClock);
    this.pool = new pg.Pool(
      connectionConfig(split.url, schema, options, options.lockTimeoutMs ?? 5000, {
        max: poolSize,
        idleTimeoutMillis: 30_000,
        query_timeout: options.queryTimeoutMs ?? 15_000,
      }),
    );
    // A pooled connection that dies while idle (database restart, pg_terminate_backend) is
    // reported here; the pool has already dropped it, and the next query opens a new one.
    this.pool.on('error', () => {});
  }

  /**
   * Connects, migrates (under an advisory lock) and returns a ready store. An unreachable database
   * is retried with back-off for `startupTimeoutMs`; authentication and configuration errors fail
   * at once.
   *
   * @throws {StoreError} `store_unavailable` naming the cause.
   * @example
   * const store = await PostgresStore.open({ url: process.env.DATABASE_URL!, poolSize: 20 });
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await migrateWithRetry(options, store.schema);
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /**
   * One run-time setting (e.g. `synchronous_commit`) as each of the pool's connections sees it:
   * all `poolSize` connections are held at once, so every session the store writes through answers.
   */
  async sessionSettings(name: string): Promise<string[]> {
    const clients = await Promise.all(Array.from({ length: this.poolSize }, () => this.pool.connect()));
    try {
      return await Promise.all(
        clients.map(
          async (c) =>
            (await c.query<{ value: string }>('SELECT current_setting($1) AS value', [name])).rows[0]!.value,
        ),
      );
    } finally {
      for (const c of clients) c.release();
    }
  }

  protected async insertRows(rows: readonly InsertRow[]): Promise<RowOutcome[]> {
    const deliveries = rows.map((r) => r.delivery);
    const lease = this.fresh.plan(deliveries);
    const bodyStarts: number[] = [];
    const bodyLengths: number[] = [];
    let bodyBytes = 0;
    for (const d of deliveries) {
      bodyStarts.push(bodyBytes + 1);
      bodyLengths.push(d.body.length);
      bodyBytes += d.body.length;
    }
    const params: unknown[] = [
      deliveries.map((d) => d.webhookId),
      deliveries.map((d) => d.type),
      deliveries.map((d) => d.status),
      bodyStarts,
      deliveries.map((d) => JSON.stringify(d.headers)),
      deliveries.map((d) => errorColumns(d.errors, d.errorCount).errors),
      deliveries.map((d) => d.receivedAt),
      deliveries.map((d) => (d.status === 'received' ? d.receivedAt : null)),
      rows.map((r) => r.copies),
      deliveries.map((d) => errorColumns(d.errors, d.errorCount).errorCount),
      deliveries.map((d) => d.traceparent ?? null),
      lease.leased,
      this.fresh.holder,
      lease.leaseMs,
      this.leaseClock === 'caller',
      bodyLengths,
      Buffer.concat(
        deliveries.map((d) => d.body),
        bodyBytes,
      ),
    ];
    // With destinations, the outbox rows of the events this statement creates are written by the
    // same statement: committed with them or not at all.
    const pairs = outboxPairs(deliveries, this.outboxRoutes);
    const receivedAt = new Map(deliveries.map((d) => [d.webhookId, d.receivedAt]));
    const statement =
      pairs.length === 0
        ? sql.insert
        : `WITH ins AS (${sql.insert}),${outboxInsertCte}
           SELECT webhook_id, status, deliveries_seen, inserted, lease_until FROM ins`;
    if (pairs.length > 0) params.push(...outboxInsertParameters(pairs, (id) => receivedAt.get(id)!));
    const sentAt = performance.now();
    const result = await this.withRetryOnConflict(() =>
      this.pool.query<
        RowOutcome & { webhook_id: string; deliveries_seen: number; lease_until: string | null }
      >({
        name: pairs.length === 0 ? statementNames.insert : statementNames.insertWithOutbox,
        text: statement,
        values: params,
      }),
    );
    // RETURNING has no order: match the rows back by webhook-id.
    const byId = new Map(result.rows.map((r) => [r.webhook_id, r]));
    return deliveries.map((d, i) => {
      const row = byId.get(d.webhookId)!;
      if (row.inserted && d.status === 'received') {
        if (lease.leased[i]) this.fresh.created(d, Number(row.lease_until), lease.leaseMs, sentAt);
        else this.rescanNeeded = true;
      }
      return { inserted: row.inserted, status: row.status, deliveriesSeen: row.deliveries_seen };
    });
  }

  /** Retries a statement that lost a deadlock or serialization race (it rolled back; safe to rerun). */
  private async withRetryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
  }

  protected async selectEvent(webhookId: string): Promise<EventRow | undefined> {
    return (await this.pool.query<EventRow>(sql.get, [webhookId])).rows[0];
  }

  protected async selectEvents({ type, status, before, limit }: EventFilter): Promise<EventRow[]> {
    return (await this.pool.query<EventRow>(sql.list, [type, status, before, limit])).rows;
  }

  protected async selectExportRows({
    types,
    statuses,
    after,
    since,
    until,
    limit,
  }: ExportRowFilter): Promise<ExportRow[]> {
    const params = [after.receivedAt, after.webhookId, since, until, types, statuses, limit];
    return (await this.pool.query<ExportRow>(sql.export, params)).rows;
  }

  protected async selectExportSizes({
    types,
    statuses,
    after,
    since,
    until,
    limit,
  }: ExportRowFilter): Promise<ExportSizeRow[]> {
    const params = [after.receivedAt, after.webhookId, since, until, types, statuses, limit];
    return (await this.pool.query<ExportSizeRow>(sql.exportSizes, params)).rows;
  }

  protected override openOutbox(): ForwardOutbox {
    return outboxPostgres(this.pool);
  }

  protected openReader(model: AnyReadModel): object {
    return model.postgres.reader(this.pool) as object;
  }

  /**
   * Fresh rows first (PostgresFreshRows), from memory; then the table, when the fresh rows left the
   * batch short and there is a reason to look (none came, rows were written unleased or released,
   * a retry is due, or rescanIntervalMs passed).
   */
  protected async claimRows(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts: number | undefined,
  ): Promise<ClaimedEvent[]> {
    this.fresh.claiming(leaseMs);
    const { claimed, expired } = this.fresh.take(workerId, now, limit);
    if (expired.length > 0) await this.release(expired);
    const scan =
      claimed.length === 0 ||
      this.rescanNeeded ||
      now >= this.nextRetryAt ||
      now >= this.lastScanAt + rescanIntervalMs;
    if (!scan || claimed.length >= limit) return claimed;
    this.rescanNeeded = false;
    this.lastScanAt = now;
    if (now >= this.nextRetryAt) this.nextRetryAt = Number.POSITIVE_INFINITY;
    const callerClock = this.leaseClock === 'caller' ? now : null;
    const wanted = limit - claimed.length;
    try {
      const found = await this.transaction((client) =>
        claimDueOn(client, { workerId, now, leaseMs, limit: wanted, maxAttempts, callerClock }),
      );
      // A full page may have left more behind: look again next time.
      if (found.length === wanted) this.rescanNeeded = true;
      return [...claimed, ...found];
    } catch (error) {
      this.rescanNeeded = true;
      // The fresh rows taken are this worker's now: hand them out rather than leave them leased.
      if (claimed.length > 0) return claimed;
      throw error;
    }
  }

  /** Clears the leases of fresh rows nobody took; should it fail, the leases run out by themselves. */
  private async release(webhookIds: readonly string[]): Promise<void> {
    this.rescanNeeded = true;
    await this.pool.query(sql.release, [webhookIds, this.fresh.holder]).catch(() => undefined);
  }

  /**
   * Every settlement and its effects in one transaction (one commit); only rows `workerId` still
   * holds change, and only their effects are written.
   */
  protected async settleRows(workerId: string, rows: readonly SettleRow[], now: number): Promise<boolean[]> {
    const holders = rows.map((r) => this.fresh.settleHolder(r.webhookId, workerId));
    const params = [
      rows.map((r) => r.webhookId),
      holders,
      rows.map((r) => r.status),
      rows.map((r) => r.errors),
      rows.map((r) => r.processedAt),
      rows.map((r) => r.lastError),
      rows.map((r) => r.nextAttemptAt),
      rows.map((r) => r.attempts ?? null),
      rows.map((r) => r.errorCount),
    ];
    // The tables the effects go to are locked first (in the mode an INSERT takes), before any
    // event row: the order one statement takes them in, so a settlement waiting for a read model's
    // table holds no event row that a duplicate delivery's insert would then wait for.
    const tables = readModels
      .filter((m) => effectBatches(m, rows).length > 0)
      .flatMap((m) => m.postgres.tables)
      .sort();
    const settled = await this.withRetryOnConflict(() =>
      this.transaction(async (client) => {
        if (tables.length > 0) {
          await client.query(`LOCK TABLE ${tables.map(quoteIdentifier).join(', ')} IN ROW EXCLUSIVE MODE`);
        }
        const result = await client.query<{ webhook_id: string; type: string | null }>({
          name: statementNames.settle,
          text: sql.settle,
          values: params,
        });
        const held = new Set(result.rows.map((r) => r.webhook_id));
        // A replay that makes a quarantined event valid makes it forwardable; rows it has stay.
        if (this.outboxRoutes.length > 0) {
          const status = new Map(rows.map((r) => [r.webhookId, r.status]));
          const settled = result.rows.map((r) => ({
            webhookId: r.webhook_id,
            type: r.type,
            status: status.get(r.webhook_id) ?? 'failed',
          }));
          await enqueueOutboxPostgres(client, outboxPairs(settled, this.outboxRoutes), now);
        }
        const counted = rows.filter((r) => held.has(r.webhookId));
        for (const model of readModels) {
          const batches = effectBatches(model, counted);
          if (batches.length > 0) await model.postgres.apply(client, batches);
        }
        return held;
      }),
    );
    this.fresh.settled(rows.filter((_, i) => holders[i] === this.fresh.holder).map((r) => r.webhookId));
    for (const r of rows) {
      if (settled.has(r.webhookId) && r.nextAttemptAt !== null) {
        this.nextRetryAt = Math.min(this.nextRetryAt, r.nextAttemptAt);
      }
    }
    return rows.map((r) => settled.has(r.webhookId));
  }

  /** Runs `fn` in a transaction on one pooled connection: committed if it resolves, else rolled back. */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client reports a dropped connection as an 'error' event, which would crash the
    // process unheard (pool.query listens for it itself); the query in flight rejects too.
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      try {
        const value = await fn(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } catch (error) {
      // Only the server's own errors (which carry a severity) leave the connection usable; after
      // anything else (a reset, a client-side timeout) the pool drops it.
      const fromServer = (error as { severity?: unknown } | undefined)?.severity !== undefined;
      if (!fromServer) broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  protected async requeueRow(webhookId: string, now: number): Promise<boolean> {
    this.rescanNeeded = true;
    return (await this.pool.query(sql.requeue, [now, webhookId])).rowCount === 1;
  }

  protected async pingDatabase(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  protected isRowError(error: unknown): boolean {
    return isDataError(error);
  }

  protected override describe(error: unknown): string {
    return describeError(error as Error);
  }

  protected async closeDatabase(): Promise<void> {
    const waiting = this.fresh.drain();
    if (waiting.length > 0) await this.release(waiting);
    await this.pool.end();
  }
}

/**
 * The server refused the values themselves (SQLSTATE class 22, data exception: a NUL in text, an
 * invalid escape in jsonb; 54, a value over a size limit): sending the same row again can never
 * succeed.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}
