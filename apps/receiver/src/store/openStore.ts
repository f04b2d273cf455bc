import { StoreError } from '../errors.js';
import { parseDatabaseUrl } from './parseDatabaseUrl.js';
import { SqliteStore } from './SqliteStore.js';
import type { Store } from './Store.js';

export interface OpenStoreOptions {
  /**
   * Where PostgreSQL settings are read (default process.env): DATABASE_POOL_SIZE (default 10),
   * DATABASE_SCHEMA (when the URL has no `?schema=`), DATABASE_STARTUP_TIMEOUT_SECONDS (default 30),
   * DATABASE_LOCK_TIMEOUT_MS (default 5000; 0 = wait for row locks without limit).
   */
  env?: Record<string, string | undefined>;
  /** Most deliveries waiting for the next commit (default 10000); beyond it `store_overloaded`. */
  maxPending?: number;
  /** Most body bytes waiting for the next commit (default 64 MiB); beyond it `store_overloaded`. */
  maxPendingBytes?: number;
  /** Told about each start-up attempt that failed and will be retried (PostgreSQL only). */
  onStartupRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

/**
 * Opens the store a DATABASE_URL names: SQLite for `sqlite:`/`file:`/plain paths (the folder is
 * created), PostgreSQL for `postgres://` / `postgresql://` (schema created and migrated; an
 * unreachable server is retried for DATABASE_STARTUP_TIMEOUT_SECONDS).
 *
 * @throws {StoreError} `unsupported_database` for a bad URL or setting, `store_unavailable` when
 *   the database cannot be opened.
 * @example
 * const store = await openStore('sqlite:./.data/receiver.sqlite');
 * const shared = await openStore('postgres://app@db:5432/webhooks?schema=receiver');
 */
export async function openStore(
  url: string,
  cwd: string = process.cwd(),
  options: OpenStoreOptions = {},
): Promise<Store> {
  let location: ReturnType<typeof parseDatabaseUrl>;
  try {
    location = parseDatabaseUrl(url, cwd);
  } catch (error) {
    throw new StoreError('unsupported_database', `DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const limits = {
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
    ...(options.maxPendingBytes === undefined ? {} : { maxPendingBytes: options.maxPendingBytes }),
  };
  if (location.kind === 'sqlite') return new SqliteStore({ filename: location.filename, ...limits });

  const env = options.env ?? process.env;
  const schema = location.schema ?? nonEmpty(env.DATABASE_SCHEMA);
  // Loaded only for PostgreSQL: `pg` costs an SQLite-only process ~10 MB of memory for nothing.
  const { PostgresStore } = await import('./PostgresStore.js');
  return PostgresStore.open({
    url: location.url,
    ...limits,
    ...(schema === undefined ? {} : { schema }),
    poolSize: readWhole(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    startupTimeoutMs: readWhole(env, 'DATABASE_STARTUP_TIMEOUT_SECONDS', 30, 0, 3600) * 1000,
    lockTimeoutMs: readWhole(env, 'DATABASE_LOCK_TIMEOUT_MS', 5000, 0, 3_600_000),
    ...(options.onStartupRetry === undefined ? {} : { onStartupRetry: options.onStartupRetry }),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readWhole(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new StoreError(
      'unsupported_database',
      `${name} is "${raw}": expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}
