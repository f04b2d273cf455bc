import { StoreError } from '../errors.js';
import type { OutboxRoute } from '../forwarding/outbox/OutboxRoute.js';
import type { Store } from './core/Store.js';
import { type DatabaseLocation, parseDatabaseUrl } from './parseDatabaseUrl.js';

export interface OpenStoreOptions {
  /** Base folder for a relative SQLite path in a URL string (default process.cwd()). */
  cwd?: string;
  /** Most deliveries waiting for the next commit (default 10000); beyond it `store_overloaded`. */
  maxPending?: number;
  /** Most body bytes waiting for the next commit (default 64 MiB); beyond it `store_overloaded`. */
  maxPendingBytes?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
  /** PostgreSQL: how long an unreachable server is retried at start-up (default 30 s; 0 = once). */
  startupTimeoutMs?: number;
  /** PostgreSQL: longest wait for a row lock (default 5000; 0 = no limit). */
  lockTimeoutMs?: number;
  /** Told about each start-up attempt that failed and will be retried (PostgreSQL only). */
  onStartupRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /** The forwarding destinations whose outbox rows are written with each eligible event. */
  outboxRoutes?: readonly OutboxRoute[];
}

/**
 * Opens the store a database URL (or a location loadConfig already parsed) names: SQLite for
 * `sqlite:`/`file:`/plain paths (the folder is created), PostgreSQL for `postgres://` /
 * `postgresql://` (schema created and migrated; an unreachable server is retried for
 * `startupTimeoutMs`). It reads no environment: loadConfig() does, once.
 *
 * @throws {StoreError} `unsupported_database` for a bad URL, `store_unavailable` when the database
 *   cannot be opened.
 * @example
 * const store = await openStore('sqlite:./.data/receiver.sqlite');
 * const shared = await openStore('postgres://app@db:5432/webhooks?schema=receiver', { poolSize: 20 });
 */
export async function openStore(
  database: string | DatabaseLocation,
  options: OpenStoreOptions = {},
): Promise<Store> {
  let location: DatabaseLocation;
  try {
    location = typeof database === 'string' ? parseDatabaseUrl(database, options.cwd) : database;
  } catch (error) {
    throw new StoreError('unsupported_database', `DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const limits = {
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
    ...(options.maxPendingBytes === undefined ? {} : { maxPendingBytes: options.maxPendingBytes }),
    ...(options.outboxRoutes === undefined ? {} : { outboxRoutes: options.outboxRoutes }),
  };
  // Each backend is loaded only when used: `pg` costs an SQLite-only process ~10 MB of memory for
  // nothing, and better-sqlite3 is a native module a PostgreSQL deployment need not load.
  if (location.kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite/SqliteStore.js');
    return new SqliteStore({ filename: location.filename, ...limits });
  }
  const { PostgresStore } = await import('./postgres/PostgresStore.js');
  return PostgresStore.open({
    url: location.url,
    ...limits,
    ...(location.schema === undefined ? {} : { schema: location.schema }),
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    ...(options.onStartupRetry === undefined ? {} : { onStartupRetry: options.onStartupRetry }),
  });
}
