// PostgreSQL implementation of Store, for several receiver instances sharing one database.
//
// - Deduplication: the UNIQUE webhook_id decides (INSERT … ON CONFLICT DO UPDATE), so concurrent
//   copies of one delivery reaching different instances store one row.
// - Group commit: insertDelivery() queues; one multi-row upsert per batch commits every delivery
//   queued while the previous batch was in flight. synchronous_commit is forced on for the
//   session, so a resolved promise means the row is durable.
// - Claims: FOR UPDATE SKIP LOCKED plus a lease (claimed_by, lease_until); settle() writes the
//   status and the handler's effects in ONE statement that only matches while the caller still
//   holds the claim, so a worker whose lease was taken over cannot apply anything.
// - Outages: every failure surfaces as StoreError('store_unavailable') (HTTP 503); pg.Pool drops
//   broken connections and opens new ones, so the store recovers by itself when the database
//   comes back.
import pg from 'pg';
import { StoreError } from '../errors.js';
import { decodeCursor, toEventPage } from './eventCursor.js';
import { PendingInsertLimit, type PendingInsertLimits } from './PendingInsertLimit.js';
import { migrate } from './PostgresMigrations.js';
import { parseDatabaseUrl, postgresSchemaPattern } from './parseDatabaseUrl.js';
import { decodeProgressCursor, groupProgress, toProgressPage } from './progressCursor.js';
import type {
  ClaimedEvent,
  CourseProgress,
  EventError,
  EventPage,
  EventStatus,
  EventSummary,
  InsertOutcome,
  LessonCompletion,
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

export interface PostgresStoreOptions extends PendingInsertLimits {
  /** A postgres:// or postgresql:// URL; a `schema` query parameter is honoured and removed. */
  url: string;
  /** Schema holding the tables (created if missing). Default: the URL's `?schema=`, else `public`. */
  schema?: string;
  /** Most connections this instance opens (default 10). */
  poolSize?: number;
  /** How long to wait for a new connection before failing the operation (default 5000 ms). */
  connectionTimeoutMs?: number;
  /** Client-side limit per statement, so a stalled database answers 503 instead of hanging (default 15000 ms). */
  queryTimeoutMs?: number;
  /**
   * Longest wait for a row lock before the statement fails (503 for deliveries; default 5000 ms,
   * 0 = no limit). Bounds how long a dead instance's locks can stall the others.
   */
  lockTimeoutMs?: number;
  /** How long open() keeps retrying an unreachable database at start-up (default 30000 ms; 0 = try once). */
  startupTimeoutMs?: number;
  /**
   * Which clock times leases: `database` (default: the server's, so instances with skewed clocks
   * agree) or `caller` (the `now` passed to claimDue; for tests that move time by hand).
   */
  leaseClock?: 'database' | 'caller';
  /** Shown in pg_stat_activity (default `webhook-receiver:<pid>`). */
  applicationName?: string;
  /** Told about each failed start-up attempt that will be retried. */
  onStartupRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

/** Rows per upsert statement (9 array parameters each, so no parameter-count limit applies). */
const maxBatch = 1000;

const summaryColumns = `seq, webhook_id, event_type, status, errors, deliveries_seen, received_at, processed_at,
  attempts, last_error, next_attempt_at`;

interface EventRow {
  seq: string;
  webhook_id: string;
  event_type: string | null;
  status: EventStatus;
  errors: EventError[] | null;
  deliveries_seen: number;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  body?: Buffer;
  headers?: Record<string, string>;
}

interface Pending {
  delivery: NewDelivery;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: unknown) => void;
}

const sql = {
  insert: `
    INSERT INTO webhook_events
      (webhook_id, event_type, status, body, headers, errors, received_at, next_attempt_at, deliveries_seen)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[], $6::jsonb[],
                         $7::bigint[], $8::bigint[], $9::int[])
      AS d(webhook_id, event_type, status, body, headers, errors, received_at, next_attempt_at, deliveries_seen)
    -- One lock order for every instance: two batches sharing webhook-ids cannot deadlock.
    ORDER BY d.webhook_id COLLATE "C"
    ON CONFLICT (webhook_id) DO UPDATE
      SET deliveries_seen = webhook_events.deliveries_seen + excluded.deliveries_seen
    RETURNING webhook_id, status, deliveries_seen, (xmax = 0) AS inserted`,
  get: `SELECT ${summaryColumns}, body, headers FROM webhook_events WHERE webhook_id = $1`,
  list: `
    SELECT ${summaryColumns} FROM webhook_events
    WHERE ($1::text IS NULL OR event_type = $1) AND ($2::text IS NULL OR status = $2)
      AND ($3::bigint IS NULL OR seq < $3)
    ORDER BY seq DESC LIMIT $4`,
  // Leases are timed by the database's clock ($5, the caller's, only when a test asks for it):
  // instances whose clocks disagree still agree on when a lease has expired.
  claim: `
    WITH due AS (
      SELECT seq FROM webhook_events
      WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $3
        AND status IN ('received', 'failed')
        AND (lease_until IS NULL
             OR lease_until <= coalesce($5::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint))
      ORDER BY next_attempt_at, seq
      LIMIT $4
      FOR UPDATE SKIP LOCKED)
    UPDATE webhook_events e
    SET claimed_by = $1,
        lease_until = coalesce($5::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) + $2,
        attempts = e.attempts + 1
    FROM due WHERE e.seq = due.seq
    RETURNING e.seq, e.webhook_id, e.event_type, e.body, e.attempts, e.next_attempt_at, e.lease_until`,
  // An event claimed maxAttempts times whose last lease ran out unsettled: its processor died on
  // it each time (a settled failure clears the lease). Claiming it again would crash the next one.
  giveUp: `
    UPDATE webhook_events
    SET status = 'failed', next_attempt_at = NULL, claimed_by = NULL, lease_until = NULL,
        last_error = 'claimed ' || attempts || ' times without being settled: the processor crashed or stalled on it each time; requeue it once fixed'
    WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1
      AND status IN ('received', 'failed')
      AND attempts >= $2
      AND lease_until IS NOT NULL
      AND lease_until <= coalesce($3::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint)`,
  // Settlements, their effects and the lease release in ONE statement (one transaction, one
  // commit) for a whole batch. Only rows $1 still holds are updated, and only the completions of
  // events that were updated are written: a worker that lost its lease changes nothing.
  settle: `
    WITH items AS (
      SELECT * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::bigint[], $6::text[], $7::bigint[], $13::int[])
        AS i(webhook_id, status, errors, processed_at, last_error, next_attempt_at, attempts)),
    settled AS (
      UPDATE webhook_events e
      SET status = i.status, errors = i.errors, processed_at = i.processed_at, last_error = i.last_error,
          next_attempt_at = i.next_attempt_at, claimed_by = NULL, lease_until = NULL
      FROM items i
      WHERE e.webhook_id = i.webhook_id AND e.claimed_by = $1
        AND (i.attempts IS NULL OR e.attempts = i.attempts)
      RETURNING e.webhook_id),
    completions AS (
      INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at)
      SELECT c.user_id, c.course_id, c.lesson_id, min(c.completed_at)
      FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[])
        AS c(webhook_id, user_id, course_id, lesson_id, completed_at)
      WHERE c.webhook_id IN (SELECT webhook_id FROM settled)
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
      ON CONFLICT (user_id, course_id, lesson_id)
        DO UPDATE SET completed_at = LEAST(lesson_completions.completed_at, excluded.completed_at))
    SELECT webhook_id FROM settled`,
  requeue: `
    UPDATE webhook_events
    SET status = 'received', attempts = 0, next_attempt_at = $1, claimed_by = NULL, lease_until = NULL
    WHERE webhook_id = $2`,
  nextDue: `
    SELECT min(greatest(next_attempt_at, coalesce(lease_until, 0))) AS due FROM webhook_events
    WHERE next_attempt_at IS NOT NULL AND status IN ('received', 'failed')`,
  progressPage: `
    WITH pairs AS (
      SELECT DISTINCT user_id, course_id FROM lesson_completions
      WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR course_id = $2)
        AND (user_id, course_id) > ($3::text COLLATE "C", $4::text COLLATE "C")
      ORDER BY user_id, course_id LIMIT $5)
    SELECT l.user_id, l.course_id, l.lesson_id, l.completed_at
    FROM pairs p JOIN lesson_completions l ON l.user_id = p.user_id AND l.course_id = p.course_id
    ORDER BY l.user_id, l.course_id, l.completed_at, l.lesson_id`,
  progress: `
    SELECT user_id, course_id, lesson_id, completed_at FROM lesson_completions
    WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR course_id = $2)
    ORDER BY user_id, course_id, completed_at, lesson_id`,
};

/** Splits `?schema=` off a PostgreSQL URL (see parseDatabaseUrl); the rest goes to pg unchanged. */
function splitSchemaParam(url: string): { url: string; schema: string | undefined } {
  let location: ReturnType<typeof parseDatabaseUrl>;
  try {
    location = parseDatabaseUrl(url);
  } catch (error) {
    throw new StoreError('unsupported_database', `DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (location.kind !== 'postgres') {
    throw new StoreError(
      'unsupported_database',
      'PostgresStore needs a postgres:// or postgresql:// URL: use SqliteStore for SQLite',
    );
  }
  return { url: location.url, schema: location.schema };
}

/**
 * A Store on PostgreSQL. Use `PostgresStore.open()`, which migrates the schema first.
 *
 * @example
 * const store = await PostgresStore.open({ url: 'postgres://app@db:5432/webhooks?schema=receiver' });
 * const outcome = await store.insertDelivery(delivery); // committed (durably) here
 * await store.close();
 */
export class PostgresStore implements Store {
  readonly schema: string;
  readonly poolSize: number;
  private readonly pool: pg.Pool;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private closed = false;
  private commits = 0;
  private readonly pending: PendingInsertLimit;
  private readonly leaseClock: 'database' | 'caller';

  /** Connects lazily and does NOT migrate: prefer `PostgresStore.open()`. */
  constructor(options: PostgresStoreOptions) {
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
    this.pending = new PendingInsertLimit(options);
    this.leaseClock = options.leaseClock ?? 'database';
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
      await store.migrateWithRetry(options);
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async migrateWithRetry(options: PostgresStoreOptions): Promise<void> {
    const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
    const split = splitSchemaParam(options.url);
    for (let attempt = 1; ; attempt++) {
      // A dedicated connection without query_timeout: waiting for another instance's lock is normal.
      const client = new pg.Client(connectionConfig(split.url, this.schema, options, 0, {}));
      client.on('error', () => {});
      try {
        await client.connect();
        await migrate(client, this.schema);
        return;
      } catch (error) {
        const err = error as Error;
        const delay = Math.min(5000, 250 * 2 ** Math.min(attempt - 1, 5));
        if (!isTransient(err) || Date.now() + delay > deadline) {
          throw new StoreError(
            'store_unavailable',
            `Cannot prepare the PostgreSQL database (schema "${this.schema}") after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${describeError(err)}. ` +
              'Check DATABASE_URL, that the server is up and reachable, and that the user may create tables in the schema',
            { cause: error },
          );
        }
        options.onStartupRetry?.(err, attempt, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
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

  /** How many insert batches have committed; lets tests observe group commit. */
  get commitCount(): number {
    return this.commits;
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
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    // While a batch is in flight, new deliveries wait and go together in the next one.
    if (this.flushScheduled || this.flushing !== null) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): Promise<void> {
    if (this.flushing !== null) return this.flushing;
    const run = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, maxBatch);
        for (const p of batch) this.pending.leave(p.delivery.body.length);
        await this.writeBatch(batch);
      }
    })();
    this.flushing = run;
    void run.finally(() => {
      if (this.flushing === run) this.flushing = null;
      // Callers resolved by the last batch may have queued more before this ran.
      if (this.queue.length > 0 && !this.closed) this.scheduleFlush();
    });
    return run;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    // One row per webhook-id: PostgreSQL refuses to upsert one row twice in a statement, so copies
    // within the batch are counted here and each caller gets its own place in the count.
    const groups = new Map<string, Pending[]>();
    for (const p of batch) {
      const group = groups.get(p.delivery.webhookId);
      if (group === undefined) groups.set(p.delivery.webhookId, [p]);
      else group.push(p);
    }
    try {
      await this.writeGroups(groups);
      return;
    } catch (error) {
      // One row the database refuses (bad data) fails the whole statement: write the rows one by
      // one so only that delivery is refused and the others are stored. Connection failures fail
      // every row alike, so they are not retried here.
      if (groups.size > 1 && isDataError(error)) {
        for (const [webhookId, group] of groups) {
          try {
            await this.writeGroups(new Map([[webhookId, group]]));
          } catch (rowError) {
            for (const p of group) p.reject(insertFailure(rowError));
          }
        }
        return;
      }
      for (const p of batch) p.reject(insertFailure(error));
    }
  }

  /** One upsert statement for `groups`; resolves their callers, or throws what the query threw. */
  private async writeGroups(groups: Map<string, Pending[]>): Promise<void> {
    const firsts = [...groups.values()].map((g) => g[0]!.delivery);
    const params = [
      firsts.map((d) => d.webhookId),
      firsts.map((d) => d.type),
      firsts.map((d) => d.status),
      firsts.map((d) => d.body),
      firsts.map((d) => JSON.stringify(d.headers)),
      firsts.map((d) => (d.errors === null ? null : JSON.stringify(d.errors))),
      firsts.map((d) => d.receivedAt),
      firsts.map((d) => (d.status === 'received' ? d.receivedAt : null)),
      firsts.map((d) => groups.get(d.webhookId)!.length),
    ];
    const rows = await this.withRetryOnConflict(
      async () =>
        (
          await this.pool.query<{
            webhook_id: string;
            status: EventStatus;
            deliveries_seen: number;
            inserted: boolean;
          }>(sql.insert, params)
        ).rows,
    );
    this.commits++;
    for (const row of rows) {
      const group = groups.get(row.webhook_id)!;
      const first = row.deliveries_seen - group.length + 1;
      for (const [i, p] of group.entries()) {
        p.resolve({ inserted: row.inserted && i === 0, status: row.status, deliveriesSeen: first + i });
      }
    }
  }

  /** Retries a statement that lost a deadlock or serialization race (it rolled back; safe to rerun). */
  private async withRetryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const pgError = error instanceof StoreError ? error.cause : error;
        const code = (pgError as { code?: unknown } | undefined)?.code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
  }

  async getEvent(webhookId: string): Promise<StoredEvent | null> {
    const rows = await this.query<EventRow>(sql.get, [webhookId]);
    const row = rows[0];
    if (row === undefined) return null;
    return { ...toSummary(row), body: row.body!, headers: row.headers ?? {} };
  }

  async listEvents(query: ListEventsQuery): Promise<EventPage> {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const rows = await this.query<EventRow>(sql.list, [
      query.type ?? null,
      query.status ?? null,
      before,
      query.limit + 1,
    ]);
    return toEventPage(rows, query.limit, toSummary);
  }

  async claimDue(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts?: number,
  ): Promise<ClaimedEvent[]> {
    const callerClock = this.leaseClock === 'caller' ? now : null;
    if (maxAttempts !== undefined) await this.query(sql.giveUp, [now, maxAttempts, callerClock]);
    const rows = await this.query<{
      seq: string;
      webhook_id: string;
      event_type: string | null;
      body: Buffer;
      attempts: number;
      next_attempt_at: string;
      lease_until: string;
    }>(sql.claim, [workerId, leaseMs, now, limit, callerClock]);
    // RETURNING has no order: hand events out in due order, as the SQLite store does.
    rows.sort(
      (a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || Number(a.seq) - Number(b.seq),
    );
    return rows.map((r) => ({
      webhookId: r.webhook_id,
      type: r.event_type,
      body: r.body,
      attempts: r.attempts,
      claimedBy: workerId,
      leaseUntil: Number(r.lease_until),
    }));
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

  /**
   * settle() for several claimed events in one statement (one commit): all or nothing. Resolves
   * with one boolean per item, false where `workerId` no longer holds the claim.
   */
  async settleMany(workerId: string, items: readonly SettleItem[], now: number): Promise<boolean[]> {
    if (items.length === 0) {
      if (this.closed) throw closedError();
      return [];
    }
    const completions: (LessonCompletion & { webhookId: string })[] = [];
    for (const { webhookId, settlement: s } of items) {
      if (s.status !== 'processed') continue;
      for (const c of s.effects.lessonCompletions ?? []) completions.push({ ...c, webhookId });
    }
    const params = [
      workerId,
      items.map((i) => i.webhookId),
      items.map((i) => i.settlement.status),
      items.map((i) => (i.settlement.status === 'quarantined' ? JSON.stringify(i.settlement.errors) : null)),
      items.map((i) => (i.settlement.status === 'processed' ? now : null)),
      items.map((i) => (i.settlement.status === 'failed' ? i.settlement.error : null)),
      items.map((i) => (i.settlement.status === 'failed' ? i.settlement.nextAttemptAt : null)),
      completions.map((c) => c.webhookId),
      completions.map((c) => c.userId),
      completions.map((c) => c.courseId),
      completions.map((c) => c.lessonId),
      completions.map((c) => c.completedAt),
      items.map((i) => i.attempts ?? null),
    ];
    const rows = await this.withRetryOnConflict(() => this.query<{ webhook_id: string }>(sql.settle, params));
    const settled = new Set(rows.map((r) => r.webhook_id));
    return items.map((i) => settled.has(i.webhookId));
  }

  async requeue(webhookId: string, now: number): Promise<boolean> {
    if (this.closed) throw closedError();
    try {
      return (await this.pool.query(sql.requeue, [now, webhookId])).rowCount === 1;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async nextDueAt(): Promise<number | null> {
    const rows = await this.query<{ due: string | null }>(sql.nextDue, []);
    const due = rows[0]?.due ?? null;
    return due === null ? null : Number(due);
  }

  async getProgress(query: ProgressQuery): Promise<CourseProgress[]> {
    const rows = await this.query<{
      user_id: string;
      course_id: string;
      lesson_id: string;
      completed_at: string;
    }>(sql.progress, [query.userId ?? null, query.courseId ?? null]);
    return groupProgress(rows);
  }

  async listProgress(query: ListProgressQuery): Promise<ProgressPage> {
    const after =
      query.cursor === undefined ? { userId: '', courseId: '' } : decodeProgressCursor(query.cursor);
    const rows = await this.query<{
      user_id: string;
      course_id: string;
      lesson_id: string;
      completed_at: string;
    }>(sql.progressPage, [
      query.userId ?? null,
      query.courseId ?? null,
      after.userId,
      after.courseId,
      query.limit + 1,
    ]);
    return toProgressPage(groupProgress(rows), query.limit);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  /** Commits queued deliveries, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.startFlush();
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    if (this.closed) throw closedError();
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function connectionConfig(
  url: string,
  schema: string,
  options: PostgresStoreOptions,
  lockTimeoutMs: number,
  extra: pg.PoolConfig,
): pg.PoolConfig {
  return {
    ...extra,
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    application_name: options.applicationName ?? `webhook-receiver:${process.pid}`,
    // search_path puts every statement in our schema; synchronous_commit=on makes COMMIT wait for
    // the WAL flush even where the server or role default says otherwise (the 2xx promises it).
    // lock_timeout: a row lock held by a dead instance's half-finished statement (until the server
    // drops its connection) fails the waiting batch with 503 instead of stalling ingestion.
    options: `-c search_path=${schema} -c synchronous_commit=on -c lock_timeout=${lockTimeoutMs}`,
  };
}

/** Connection-level failures worth retrying at start-up; auth, missing database, SQL errors are not. */
function isTransient(error: Error): boolean {
  // 'localhost' resolving to ::1 and 127.0.0.1 fails with an AggregateError of both attempts.
  if (error instanceof AggregateError && error.errors.length > 0)
    return isTransient(error.errors[0] as Error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)/.test(code)) return true;
    // 57P0x: the server is shutting down or starting up; 53300: too many connections.
    if (/^57P0[1-3]$/.test(code) || code === '53300') return true;
    return false;
  }
  return /timeout|terminated|Connection terminated/i.test(error.message);
}

function describeError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0] as Error);
  }
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
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

function insertFailure(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (isDataError(error)) {
    return new StoreError(
      'unstorable_delivery',
      `PostgreSQL cannot store this delivery (${describeError(error as Error)}): fix the sender; nothing was stored`,
      { cause: error },
    );
  }
  return new StoreError(
    'store_unavailable',
    `The PostgreSQL store could not commit the delivery (${describeError(error as Error)}); the sender should retry later`,
    { cause: error },
  );
}

function unavailable(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError('store_unavailable', `PostgreSQL store error: ${describeError(error as Error)}`, {
    cause: error,
  });
}

function closedError(): StoreError {
  return new StoreError('store_closed', 'The store is closed: open a new one to keep using it');
}

function toSummary(row: EventRow): EventSummary {
  return {
    webhookId: row.webhook_id,
    type: row.event_type,
    status: row.status,
    errors: row.errors,
    deliveriesSeen: row.deliveries_seen,
    receivedAt: Number(row.received_at),
    processedAt: row.processed_at === null ? null : Number(row.processed_at),
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
  };
}
