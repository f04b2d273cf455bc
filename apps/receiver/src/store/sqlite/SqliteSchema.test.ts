// openSqliteDatabase and the migrations, on temp files. (A file made with the first schema is
// migrated in SqliteStore.test.ts, through the store.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { walCommits } from '../test-support/walCommits.js';
import { openSqliteDatabase } from './SqliteSchema.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-schema-'));
  dirs.push(dir);
  return dir;
}

const tables = (db: ReturnType<typeof openSqliteDatabase>) =>
  db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((t) => t.name);

describe('openSqliteDatabase', () => {
  it('creates the folders a file needs and brings the new file to the current schema', () => {
    const filename = path.join(tempDir(), 'a', 'b', 'events.sqlite');
    const db = openSqliteDatabase(filename);
    expect(fs.existsSync(filename)).toBe(true);
    expect(tables(db)).toEqual([
      'forward_outbox',
      'lesson_completions',
      'memberships',
      'receiver_health',
      'sqlite_sequence',
      'webhook_events',
    ]);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    db.close();
  });

  it('writes nothing when it opens a file whose schema is current', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    openSqliteDatabase(filename).close();
    const db = openSqliteDatabase(filename);
    expect(walCommits(filename)).toBe(0);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    db.close();
  });

  it('keeps the first 20 errors and the count of all in a row stored before errors were bounded', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    // A file as version 2 left it: no error_count column.
    const old = openSqliteDatabase(filename);
    old.exec('ALTER TABLE webhook_events DROP COLUMN error_count');
    old.pragma('user_version = 2');
    const errors = Array.from({ length: 30 }, (_, i) => ({
      pointer: `/data/${i}`,
      message: 'must be string',
    }));
    const insert = old.prepare(
      `INSERT INTO webhook_events (webhook_id, status, body, headers, errors, received_at)
       VALUES (?, 'quarantined', x'7b7d', '{}', ?, 0)`,
    );
    insert.run('msg_many', JSON.stringify(errors));
    insert.run('msg_few', JSON.stringify(errors.slice(0, 2)));
    insert.run('msg_none', null);
    old.close();

    const db = openSqliteDatabase(filename);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    const rows = db
      .prepare<[], { webhook_id: string; errors: string | null; error_count: number | null }>(
        'SELECT webhook_id, errors, error_count FROM webhook_events ORDER BY webhook_id',
      )
      .all()
      .map((r) => ({ ...r, errors: r.errors === null ? null : (JSON.parse(r.errors) as unknown) }));
    expect(rows).toEqual([
      { webhook_id: 'msg_few', errors: errors.slice(0, 2), error_count: 2 },
      { webhook_id: 'msg_many', errors: errors.slice(0, 20), error_count: 30 },
      { webhook_id: 'msg_none', errors: null, error_count: null },
    ]);
    db.close();
  });

  it('adds a null traceparent to the rows of a file made before it, and keeps one that has the column', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    // A file as version 3 left it: no traceparent column.
    const old = openSqliteDatabase(filename);
    old.exec('ALTER TABLE webhook_events DROP COLUMN traceparent');
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO webhook_events (webhook_id, status, body, headers, received_at)
         VALUES ('msg_old', 'processed', x'7b7d', '{}', 0)`,
      )
      .run();
    old.close();

    const db = openSqliteDatabase(filename);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(db.prepare('SELECT webhook_id, traceparent FROM webhook_events').all()).toEqual([
      { webhook_id: 'msg_old', traceparent: null },
    ]);
    // Version 3 again, with the column already there: the migration runs again without failing.
    db.pragma('user_version = 3');
    db.close();
    const again = openSqliteDatabase(filename);
    expect(again.pragma('user_version', { simple: true })).toBe(5);
    const columns = again
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('webhook_events')")
      .all()
      .filter((c) => c.name === 'traceparent');
    expect(columns).toHaveLength(1);
    again.close();
  });

  it('leaves the schema alone when told not to migrate', () => {
    const filename = path.join(tempDir(), 'events.sqlite');
    const db = openSqliteDatabase(filename, { migrate: false });
    expect(tables(db)).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
  });

  it('passes on what SQLite says of a file that is not a database', () => {
    const filename = path.join(tempDir(), 'junk.sqlite');
    fs.writeFileSync(filename, 'not a database, just text long enough to be read as a header');
    expect(() => openSqliteDatabase(filename)).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
  });
});
