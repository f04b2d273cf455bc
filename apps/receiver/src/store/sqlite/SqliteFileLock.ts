// One receiver process per SQLite file. Claims live in the owning process's memory, so a second
// process on the same file would claim and process the same events. The lock is an SQLite write
// lock (an fcntl lock underneath) held on `<file>.lock` for the store's lifetime: the kernel drops
// it when the process dies, even by SIGKILL, so a crashed receiver never blocks its restart. The
// holder's pid is committed in that file first, so a refused process can say who holds it.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../errors.js';

/** A held lock; release() gives it up (close() of the store does). */
export interface SqliteFileLock {
  readonly path: string;
  release(): void;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function inUse(filename: string, db: Database.Database, cause: unknown): StoreError {
  let holder: number | undefined;
  try {
    holder = db.prepare<[], { pid: number }>('SELECT pid FROM owner LIMIT 1').get()?.pid;
  } catch {
    holder = undefined;
  }
  const who =
    holder !== undefined && holder !== process.pid
      ? `another receiver process (pid ${holder})`
      : 'another receiver process';
  return new StoreError(
    'store_in_use',
    `The SQLite database ${filename} is in use by ${who}: one receiver process per file. Stop that process, ` +
      'or point DATABASE_URL at another file (use PostgreSQL to run several instances)',
    { cause },
  );
}

/**
 * Takes the lock for `filename`, or throws StoreError('store_in_use') naming the holder's pid.
 *
 * @example
 * const lock = lockSqliteFile('/srv/.data/receiver.sqlite');
 * // … use the database …
 * lock.release();
 */
export function lockSqliteFile(filename: string): SqliteFileLock {
  const path = `${filename}.lock`;
  fs.mkdirSync(nodePath.dirname(nodePath.resolve(path)), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 0');
    try {
      db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL)');
      db.transaction(() => {
        db.exec('DELETE FROM owner');
        db.prepare('INSERT INTO owner (pid) VALUES (?)').run(process.pid);
      })();
      // Held until release(): a RESERVED lock lets others read the pid but not write.
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if (isBusy(error)) throw inUse(filename, db, error);
      throw error;
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    path,
    release: () => {
      if (db.open) db.close();
    },
  };
}
