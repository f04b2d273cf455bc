// SqliteWriter, the HTTP thread's handle on the writer thread, with a real thread on a temp file:
// what keeps the process alive, how close() ends the thread, and what a dead thread says.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { InsertRow } from '../core/StoreCore.js';
import { delivery } from '../test-support/storeContract.js';
import { openSqliteDatabase } from './SqliteSchema.js';
import { SqliteWriter } from './SqliteWriter.js';

const t0 = delivery('msg_any').receivedAt;
const dirs: string[] = [];
const writers: SqliteWriter[] = [];

afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-writer-thread-'));
  dirs.push(dir);
  return dir;
}

/** A writer thread on a file whose schema is current (SqliteStore migrates before it starts one). */
function start(): { writer: SqliteWriter; filename: string } {
  const filename = path.join(tempDir(), 'events.sqlite');
  openSqliteDatabase(filename).close();
  const writer = new SqliteWriter(filename);
  writers.push(writer);
  return { writer, filename };
}

/** The message ports keeping the process alive (a worker that is ref'd holds one). */
const heldPorts = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

const rows = (...ids: string[]): InsertRow[] => ids.map((id) => ({ delivery: delivery(id), copies: 1 }));

describe('SqliteWriter', () => {
  it('keeps the process alive while a write is in flight, and never while it is idle', async () => {
    const before = heldPorts();
    const { writer } = start();
    expect(heldPorts()).toBe(before);
    const only = writer.readPragma('busy_timeout');
    expect(heldPorts()).toBe(before + 1);
    expect(await only).toBe(5000);
    expect(heldPorts()).toBe(before);
    const first = writer.readPragma('synchronous');
    const second = writer.readPragma('journal_mode');
    expect(heldPorts()).toBe(before + 1);
    expect(await first).toBe(2);
    // The second is still in flight.
    expect(heldPorts()).toBe(before + 1);
    expect(await second).toBe('wal');
    expect(heldPorts()).toBe(before);
  });

  it('close() answers the writes already sent, then stops the thread', async () => {
    const { writer, filename } = start();
    await writer.insertBatch(rows('msg_old'));
    const inserted = writer.insertBatch(rows('msg_last'));
    const requeued = writer.requeue('msg_old', t0 + 777);
    await writer.close();
    expect(await inserted).toEqual([{ inserted: true, status: 'received', deliveriesSeen: 1 }]);
    expect(await requeued).toBe(true);
    const raw = new Database(filename, { readonly: true });
    expect(
      raw.prepare('SELECT webhook_id, status, next_attempt_at FROM webhook_events ORDER BY webhook_id').all(),
    ).toEqual([
      { webhook_id: 'msg_last', status: 'received', next_attempt_at: t0 },
      { webhook_id: 'msg_old', status: 'received', next_attempt_at: t0 + 777 },
    ]);
    raw.close();
    expect(writer.failure?.message).toBe('the SQLite writer thread exited (code 0)');
    await expect(writer.readPragma('synchronous')).rejects.toThrow(
      'the SQLite writer thread exited (code 0)',
    );
  });

  it('fails the writes in flight, saying why, when the thread dies of an error it did not catch', async () => {
    // A folder is no database: the thread cannot open its connection.
    const writer = new SqliteWriter(tempDir());
    writers.push(writer);
    await expect(writer.readPragma('synchronous')).rejects.toThrow(
      'the SQLite writer thread failed: SQLITE_CANTOPEN',
    );
    expect(writer.failure).toMatchObject({
      message: 'the SQLite writer thread failed: SQLITE_CANTOPEN',
      cause: { code: 'SQLITE_CANTOPEN' },
    });
  });
});
