// Connecting to PostgreSQL: the connection settings every session gets, and the start-up that
// waits for the database and migrates the schema.
import pg from 'pg';
import { StoreError } from '../../errors.js';
import { outboxMigrations, outboxMigrationsTable } from '../../forwarding/outbox/outboxPostgres.js';
import { readModels } from '../../readModels/readModels.js';
import { parseDatabaseUrl } from '../parseDatabaseUrl.js';
import { migrate } from './PostgresMigrations.js';

export interface PostgresConnectionOptions {
  /** A postgres:// or postgresql:// URL; a `schema` query parameter is honoured and removed. */
  url: string;
  /** How long to wait for a new connection before failing the operation (default 5000 ms). */
  connectionTimeoutMs?: number;
  /** How long open() keeps retrying an unreachable database at start-up (default 30000 ms; 0 = try once). */
  startupTimeoutMs?: number;
  /** Shown in pg_stat_activity (default `webhook-receiver:<pid>`). */
  applicationName?: string;
  /** Told about each failed start-up attempt that will be retried. */
  onStartupRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

/** Splits `?schema=` off a PostgreSQL URL (see parseDatabaseUrl); the rest goes to pg unchanged. */
export function splitSchemaParam(url: string): { url: string; schema: string | undefined } {
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
 * Connects on a dedicated connection and applies the migrations `schema` lacks (the events' and
 * each read model's). An unreachable database is retried with back-off for `startupTimeoutMs`;
 * authentication and configuration errors fail at once.
 *
 * @throws {StoreError} `store_unavailable` naming the cause.
 */
export async function migrateWithRetry(options: PostgresConnectionOptions, schema: string): Promise<void> {
  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  const split = splitSchemaParam(options.url);
  for (let attempt = 1; ; attempt++) {
    // A dedicated connection without query_timeout: waiting for another instance's lock is normal.
    const client = new pg.Client(connectionConfig(split.url, schema, options, 0, {}));
    client.on('error', () => {});
    try {
      await client.connect();
      await migrate(client, schema);
      for (const model of readModels) {
        await migrate(client, schema, model.postgres.migrations, `${model.name}_schema_migrations`);
      }
      await migrate(client, schema, outboxMigrations, outboxMigrationsTable);
      return;
    } catch (error) {
      const err = error as Error;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt - 1, 5));
      if (!isTransient(err) || Date.now() + delay > deadline) {
        throw new StoreError(
          'store_unavailable',
          `Cannot prepare the PostgreSQL database (schema "${schema}") after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${describeError(err)}. ` +
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

/** pg's settings for a connection (or, with `extra`, the pool) whose statements run in `schema`. */
export function connectionConfig(
  url: string,
  schema: string,
  options: PostgresConnectionOptions,
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
export function isTransient(error: Error): boolean {
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

export function describeError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0] as Error);
  }
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} ${error.message}`
    : error.message;
}
