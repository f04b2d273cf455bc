import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { delivery } from '../test-support/storeContract.js';
import { lockSqliteFile } from './SqliteFileLock.js';
import { SqliteStore } from './SqliteStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-lock-'));
  dirs.push(dir);
  return dir;
}

describe('lockSqliteFile', () => {
  it('names the pid another process recorded when it holds the lock', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    // What another receiver's lock leaves: its pid committed, the file write-locked.
    const other = new Database(`${filename}.lock`);
    other.exec('CREATE TABLE owner (pid INTEGER NOT NULL); INSERT INTO owner (pid) VALUES (4242424)');
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(() => lockSqliteFile(filename)).toThrow(
        expect.objectContaining({
          code: 'store_in_use',
          cause: expect.objectContaining({ code: 'SQLITE_BUSY' }),
          message:
            `The SQLite database ${filename} is in use by another receiver process (pid 4242424): one receiver process per file. ` +
            'Stop that process, or point DATABASE_URL at another file (use PostgreSQL to run several instances)',
        }),
      );
    } finally {
      other.close();
    }
    // Once the holder is gone the lock is taken at once, and records this process.
    const lock = lockSqliteFile(filename);
    expect(lock.path).toBe(`${filename}.lock`);
    const reader = new Database(lock.path, { readonly: true });
    expect(reader.prepare('SELECT pid FROM owner').all()).toEqual([{ pid: process.pid }]);
    reader.close();
    lock.release();
    lock.release();
    lockSqliteFile(filename).release();
  });

  it('says only "another receiver process" when the holder recorded no pid, or is this process', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    const other = new Database(`${filename}.lock`);
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => lockSqliteFile(filename)).toThrow(
        expect.objectContaining({
          code: 'store_in_use',
          message: expect.stringMatching(
            /is in use by another receiver process: one receiver process per file/,
          ),
        }),
      );
    } finally {
      other.close();
    }
    // A lock this process holds itself names no pid: it would be this process's own.
    const mine = lockSqliteFile(filename);
    expect(() => lockSqliteFile(filename)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /is in use by another receiver process: one receiver process per file/,
        ),
      }),
    );
    mine.release();
  });

  it('creates the folders the lock file needs and passes on an error that is not a held lock', () => {
    const dir = tempDir();
    const lock = lockSqliteFile(path.join(dir, 'a', 'b', 'events.sqlite'));
    expect(fs.existsSync(path.join(dir, 'a', 'b', 'events.sqlite.lock'))).toBe(true);
    lock.release();
    fs.writeFileSync(path.join(dir, 'junk.sqlite.lock'), 'not a database, just text long enough to be read');
    expect(() => lockSqliteFile(path.join(dir, 'junk.sqlite'))).toThrow(
      expect.objectContaining({ code: 'SQLITE_NOTADB' }),
    );
  });
});

describe('SqliteStore on a path it cannot open', () => {
  it('fails with store_unavailable naming the path, and leaves the file unlocked', async () => {
    const dir = tempDir();
    const filename = path.join(dir, 'events.sqlite');
    fs.mkdirSync(filename);
    expect(() => new SqliteStore({ filename, writerThread: false })).toThrow(
      expect.objectContaining({
        code: 'store_unavailable',
        message: `Cannot open the SQLite database at ${filename}: check the path in DATABASE_URL and that the folder is writable`,
        cause: expect.objectContaining({ code: 'SQLITE_CANTOPEN' }),
      }),
    );
    fs.rmdirSync(filename);
    const store = new SqliteStore({ filename, writerThread: false });
    await store.insertDelivery(delivery('msg_after_failure'));
    await store.close();
  });
});
