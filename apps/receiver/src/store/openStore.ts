import { StoreError } from '../errors.js';
import { parseDatabaseUrl } from './parseDatabaseUrl.js';
import { SqliteStore } from './SqliteStore.js';
import type { Store } from './Store.js';

/**
 * Opens the store a DATABASE_URL names: SQLite for `sqlite:`/`file:`/plain paths (the folder is
 * created); PostgreSQL URLs are recognised but not supported yet.
 *
 * @throws {StoreError} `unsupported_database` for postgres:// (not built yet) or a bad URL,
 *   `store_unavailable` when the database cannot be opened.
 * @example
 * const store = await openStore('sqlite:./.data/receiver.sqlite');
 */
export async function openStore(url: string, cwd: string = process.cwd()): Promise<Store> {
  let location: ReturnType<typeof parseDatabaseUrl>;
  try {
    location = parseDatabaseUrl(url, cwd);
  } catch (error) {
    throw new StoreError('unsupported_database', `DATABASE_URL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (location.kind === 'postgres') {
    throw new StoreError(
      'unsupported_database',
      'PostgreSQL support is not built yet: use an SQLite DATABASE_URL (sqlite:./.data/receiver.sqlite) for now',
    );
  }
  return new SqliteStore({ filename: location.filename });
}
