import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually } from '@webhook-contracts/test-kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../errors.js';
import { lessonProgress } from '../../readModels/lessonProgress/index.js';
import { allProgress } from '../../readModels/lessonProgress/test-support/allProgress.js';
import { completedEvent } from '../../test-support/signedRequest.js';
import { InspectableSqliteStore } from '../test-support/InspectableSqliteStore.js';
import { nextDueAt } from '../test-support/nextDueAt.js';
import { startCrashingProcessor } from '../test-support/startCrashingProcessor.js';
import { delivery, describeStoreContract } from '../test-support/storeContract.js';
import { walCommits } from '../test-support/walCommits.js';
import { SqliteStore } from './SqliteStore.js';
import type { SqliteWriter } from './SqliteWriter.js';

function tempFile(): { filename: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-sqlite-'));
  return { dir, filename: path.join(dir, 'nested', 'events.sqlite') };
}

// The contract with every write on the calling thread; SqliteStoreWriterThread.test.ts runs it with
// the writer thread (the default for a file).
describeStoreContract('SqliteStore (writerThread: false)', async () => {
  const { dir, filename } = tempFile();
  return {
    store: new SqliteStore({ filename, writerThread: false }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second store on the same file, naming the holder, and lets it in once the first closes', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const first = new SqliteStore({ filename });
    let refused: unknown;
    try {
      new SqliteStore({ filename });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe('store_in_use');
    expect((refused as StoreError).message).toContain(`${filename} is in use by another receiver process`);
    await first.close();
    const second = new SqliteStore({ filename });
    await second.insertDelivery(delivery('msg_after_lock'));
    expect((await second.getEvent('msg_after_lock'))?.webhookId).toBe('msg_after_lock');
    await second.close();
  });

  it('refuses deliveries past its pending-insert limits with store_overloaded and takes them again once written', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename, maxPending: 2 });
    const queued = [store.insertDelivery(delivery('msg_q1')), store.insertDelivery(delivery('msg_q2'))];
    await expect(store.insertDelivery(delivery('msg_q3'))).rejects.toMatchObject({
      code: 'store_overloaded',
    });
    await Promise.all(queued);
    await expect(store.insertDelivery(delivery('msg_q3'))).resolves.toMatchObject({ inserted: true });
    await store.close();

    const { dir: dir2, filename: file2 } = tempFile();
    dirs.push(dir2);
    const byBytes = new SqliteStore({ filename: file2, maxPendingBytes: 100 });
    const first = byBytes.insertDelivery(delivery('msg_b1', { body: Buffer.alloc(80, 0x20) }));
    await expect(
      byBytes.insertDelivery(delivery('msg_b2', { body: Buffer.alloc(30, 0x20) })),
    ).rejects.toMatchObject({ code: 'store_overloaded' });
    await first;
    await byBytes.close();
  });

  it('writes a failed batch row by row, so only the row SQLite refuses fails', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    const bad = delivery('msg_bad', { status: 'bogus' as 'received' });
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_ok_1')),
      store.insertDelivery(bad),
      store.insertDelivery(delivery('msg_ok_2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'unstorable_delivery',
    });
    expect((await store.getEvent('msg_ok_1'))?.status).toBe('received');
    expect((await store.getEvent('msg_ok_2'))?.status).toBe('received');
    expect(await store.getEvent('msg_bad')).toBeNull();
    await store.close();
  });

  it('serves status and type filters of the event list from an index, never a full table scan', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename });
    for (const filters of [
      { status: 'failed' as const },
      { type: 'membership.activated' },
      { type: 'membership.activated', status: 'received' as const },
    ]) {
      const plan = store.explainListEvents(filters);
      expect(plan.join(' | ')).toMatch(/USING INDEX webhook_events_(status|type)/);
      expect(plan.some((step) => /^SCAN webhook_events\b(?! USING)/.test(step))).toBe(false);
    }
    await store.close();
  });

  it('walks the export from the (received_at, webhook_id) index, with no sort of its own', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename });
    const plan = store.explainExportEvents().join(' | ');
    expect(plan).toMatch(
      /SEARCH webhook_events USING INDEX webhook_events_received \(\(received_at,webhook_id\)>\(\?,\?\)/,
    );
    expect(plan).not.toMatch(/TEMP B-TREE/);
    await store.close();
  });

  it('writes deliveries queued in one event-loop turn in a single commit', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    // Commits counted by SQLite's log, not by the store.
    const before = walCommits(filename);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.insertDelivery(delivery(`msg_${i}`))));
    expect(walCommits(filename) - before).toBe(1);
    await store.insertDelivery(delivery('msg_next_turn'));
    expect(walCommits(filename) - before).toBe(2);
    await store.close();
  });

  it('commits on a WAL connection with synchronous=FULL (read on the writer thread) and keeps rows across reopen', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename });
    // Read on the writer thread's own connection, the one whose commits answer deliveries.
    expect(await store.writerPragma('synchronous')).toBe(2);
    expect(await store.writerPragma('journal_mode')).toBe('wal');
    await store.insertDelivery(delivery('msg_kept'));
    await store.close();

    const raw = new Database(filename, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const reopened = new SqliteStore({ filename });
    expect((await reopened.getEvent('msg_kept'))!.status).toBe('received');
    await reopened.close();
  });

  it('commits with synchronous=FULL when writes run on the calling thread too', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename, writerThread: false });
    expect(await store.writerPragma('synchronous')).toBe(2);
    expect(await store.writerPragma('journal_mode')).toBe('wal');
    // A reader's checkpoint briefly locks the file: the writer waits for it instead of failing.
    expect(await store.writerPragma('busy_timeout')).toBe(5000);
    await store.close();
  });

  it('rejects every caller of a failed batch with store_unavailable', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename });
    // Once the writer thread is up, dropping the table underneath it makes the next batch's
    // transaction fail: an error of the database (SQLITE_ERROR), not of a row.
    await store.writerPragma('synchronous');
    const raw = new Database(filename);
    raw.exec('DROP TABLE webhook_events');
    raw.close();
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_a')),
      store.insertDelivery(delivery('msg_b')),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : 'ok'))).toEqual([
      expect.objectContaining({
        code: 'store_unavailable',
        message: expect.stringMatching(/^The SQLite store could not commit the delivery \(no such table/),
        cause: expect.objectContaining({ code: 'SQLITE_ERROR' }),
      }),
      expect.objectContaining({ code: 'store_unavailable' }),
    ]);
    await store.close();
  });

  it('pings with a write of the health row, unsynced, while inserts fail, and with reads only again once it succeeds', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new InspectableSqliteStore({ filename });
    await store.writerPragma('synchronous');
    const healthRow = () => {
      const raw = new Database(filename, { readonly: true });
      try {
        return raw.prepare('SELECT id, probed_at FROM receiver_health').all();
      } finally {
        raw.close();
      }
    };
    await store.ping();
    expect(healthRow()).toEqual([]);
    // A database error on the writer's side (as a full disk gives), then the health table gone too.
    const raw = new Database(filename);
    raw.exec(
      'ALTER TABLE webhook_events RENAME TO parked; ALTER TABLE receiver_health RENAME TO parked_health',
    );
    await expect(store.insertDelivery(delivery('msg_refused'))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/^SQLite store error: no such table: receiver_health/),
    });
    raw.exec(
      'ALTER TABLE parked RENAME TO webhook_events; ALTER TABLE parked_health RENAME TO receiver_health',
    );
    raw.close();
    const before = Date.now();
    await store.ping();
    const [row] = healthRow() as { id: number; probed_at: number }[];
    expect(row?.id).toBe(1);
    expect(row!.probed_at).toBeGreaterThanOrEqual(before);
    expect(await store.writerPragma('synchronous')).toBe(2);
    // Writing works again: the next ping reads only (no commit reaches the WAL).
    const commits = walCommits(filename);
    await store.ping();
    expect(walCommits(filename)).toBe(commits);
    expect(healthRow()).toEqual([row]);
    await store.close();
  });

  it('sends what queues during a commit in the next batch: one more commit, not one per delivery', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    const before = walCommits(filename);
    const first = store.insertDelivery(delivery('msg_first'));
    // Let the first batch go to the writer thread, then queue ten more turns' worth while it commits.
    await new Promise((resolve) => setImmediate(resolve));
    const later: Promise<unknown>[] = [];
    for (let turn = 0; turn < 10; turn++) {
      later.push(store.insertDelivery(delivery(`msg_later_${turn}`)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all([first, ...later]);
    expect(outcomes.every((o) => (o as { inserted: boolean }).inserted)).toBe(true);
    // Without the one-batch-in-flight rule this would be 11 commits.
    expect(walCommits(filename) - before).toBeLessThan(11);
    expect(walCommits(filename) - before).toBeGreaterThanOrEqual(2);
    await store.close();
  });

  it('close() waits for the writer thread to commit what was already accepted', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    const pending = Array.from({ length: 5 }, (_, i) => store.insertDelivery(delivery(`msg_pending_${i}`)));
    await store.close();
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((o) => o.inserted)).toEqual([true, true, true, true, true]);
    await expect(store.insertDelivery(delivery('msg_after'))).rejects.toMatchObject({ code: 'store_closed' });

    const raw = new Database(filename, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM webhook_events').get()).toEqual({ n: 5 });
    raw.close();
  });

  it('reports a dead writer thread: health check and later writes fail with store_unavailable', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    await store.insertDelivery(delivery('msg_before'));
    await expect(store.ping()).resolves.toBeUndefined();
    // Reach the private writer to stop its thread the way a crash would.
    await (store as unknown as { writer: SqliteWriter }).writer.terminate();

    const stopped = 'the SQLite writer thread exited (code 1)';
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store_unavailable',
      message: `The SQLite writer thread stopped: ${stopped}`,
      cause: expect.objectContaining({ message: stopped }),
    });
    await expect(store.insertDelivery(delivery('msg_after'))).rejects.toMatchObject({
      code: 'store_unavailable',
      message: `The SQLite store could not commit the delivery (${stopped}); the sender should retry later`,
    });
    await expect(store.claimDue('w', Date.now(), 1000, 10)).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    // Reads use this thread's own connection and still work.
    expect((await store.getEvent('msg_before'))!.webhookId).toBe('msg_before');
    await store.close();
  });

  it('keeps a :memory: database to itself: no lock file, and as many as the process opens', async () => {
    try {
      const first = new SqliteStore({ filename: ':memory:' });
      const second = new SqliteStore({ filename: ':memory:' });
      await first.insertDelivery(delivery('msg_first'));
      expect(await second.getEvent('msg_first')).toBeNull();
      await first.close();
      await second.close();
      expect(fs.existsSync(':memory:.lock')).toBe(false);
    } finally {
      // Only a store that wrongly locked ':memory:' leaves this behind, in the working directory.
      fs.rmSync(':memory:.lock', { force: true });
    }
  });

  it('runs the writes on the calling thread with writerThread: false: no thread holds the process', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const heldPorts = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const before = heldPorts();
    const store = new InspectableSqliteStore({ filename, writerThread: false });
    const synchronous = store.writerPragma('synchronous');
    // A writer thread would hold the process while it answers.
    expect(heldPorts()).toBe(before);
    expect(await synchronous).toBe(2);
    await store.close();
  });

  it('keeps a compact copy of a body that is a view into a larger buffer, for the processor too', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const t = Date.UTC(2025, 0, 1);
    const store = new SqliteStore({ filename, writerThread: false });
    // As a socket hands them over: views into a larger, shared chunk, at its start and further in.
    const chunk = Buffer.alloc(34);
    chunk.write('{"id":"msg_head"}{"id":"msg_tail"}');
    expect(chunk.byteOffset).toBe(0);
    const head = chunk.subarray(0, 17);
    const tail = chunk.subarray(17);
    await store.insertDelivery(delivery('msg_head', { body: head, receivedAt: t }));
    await store.insertDelivery(delivery('msg_tail', { body: tail, receivedAt: t }));
    const claimed = await store.claimDue('w', t, 30_000, 10);
    expect(claimed.map((c) => [c.webhookId, c.body.toString()])).toEqual([
      ['msg_head', '{"id":"msg_head"}'],
      ['msg_tail', '{"id":"msg_tail"}'],
    ]);
    // Each held in memory owns exactly its bytes: no fresh row pins the chunk it came in.
    expect(claimed.map((c) => c.body.buffer.byteLength)).toEqual([17, 17]);
    expect((await store.getEvent('msg_tail'))!.body.toString()).toBe('{"id":"msg_tail"}');
    await store.close();
  });

  it('keeps leases in memory but writes the attempt: a process that dies holding a claim leaves the event due for the next one, which counts on', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const t = Date.UTC(2025, 0, 1);
    const first = new InspectableSqliteStore({ filename });
    await first.insertDelivery(delivery('msg_held', { receivedAt: t }));
    const held = await first.claimDue('w-dead', t, 30_000, 10);
    expect(held.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_held', 1]]);
    // The attempt reached the file with the claim; the lease did not (there is no lease column).
    const raw = new Database(filename, { readonly: true });
    expect(
      raw.prepare('SELECT status, attempts FROM webhook_events WHERE webhook_id = ?').get('msg_held'),
    ).toEqual({ status: 'received', attempts: 1 });
    raw.close();
    // The writer connection commits deliveries with an fsync again after writing the claim.
    expect(await first.writerPragma('synchronous')).toBe(2);
    // Stop the writer the way a crash would, then open the file again: the event is claimable at
    // once, well inside the dead process's 30 s lease, as its second attempt.
    await (first as unknown as { writer: SqliteWriter }).writer.terminate();
    await first.close();
    const second = new SqliteStore({ filename });
    const again = await second.claimDue('w-new', t + 1, 30_000, 10);
    expect(again.map((c) => [c.webhookId, c.claimedBy, c.attempts])).toEqual([['msg_held', 'w-new', 2]]);
    expect(await second.settle('msg_held', 'w-new', { status: 'processed', effects: {} }, t + 2)).toBe(true);
    expect(await second.getEvent('msg_held')).toMatchObject({ status: 'processed', attempts: 2 });
    await second.close();
  });

  it('hands out nothing when the attempt cannot be written, and claims the events again once it can', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const t = Date.UTC(2025, 0, 1);
    const store = new SqliteStore({ filename, writerThread: false });
    await store.insertDelivery(delivery('msg_unwritten', { receivedAt: t }));
    // What a full disk or a read-only file does to the claim's write.
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TRIGGER refuse BEFORE UPDATE OF attempts ON webhook_events
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    await expect(store.claimDue('w1', t, 30_000, 10, 5)).rejects.toMatchObject({
      code: 'store_unavailable',
      message: 'SQLite store error: database or disk is full',
    });
    expect(await store.getEvent('msg_unwritten')).toMatchObject({ status: 'received', attempts: 0 });
    db.exec('DROP TRIGGER refuse');
    const claimed = await store.claimDue('w2', t + 1, 30_000, 10, 5);
    expect(claimed.map((c) => [c.webhookId, c.claimedBy, c.attempts])).toEqual([['msg_unwritten', 'w2', 1]]);
    await store.close();
  });

  it('marks failed an event whose handler kills the process maxAttempts times, across restarts, and stops handing it out', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const killer = completedEvent();
    const id = killer.id as string;
    const setup = new SqliteStore({ filename });
    await setup.insertDelivery(
      delivery(id, { body: Buffer.from(JSON.stringify(killer)), receivedAt: Date.now() }),
    );
    await setup.close();
    const read = (webhookId: string) => {
      const raw = new Database(filename, { readonly: true });
      try {
        return raw
          .prepare('SELECT status, attempts, last_error FROM webhook_events WHERE webhook_id = ?')
          .get(webhookId) as { status: string; attempts: number; last_error: string | null } | undefined;
      } finally {
        raw.close();
      }
    };
    const maxAttempts = 3;
    for (let run = 1; run <= maxAttempts; run++) {
      const child = startCrashingProcessor(`sqlite:${filename}`, maxAttempts, 30_000);
      const exit = await child.exited;
      expect(exit.signal, exit.output).toBe('SIGKILL');
      expect(child.handled).toEqual([id]);
      // Counted before the handler ran, although the process died inside it.
      expect(read(id)).toMatchObject({ status: 'received', attempts: run });
    }
    // The next process gives it up instead of running the handler, and goes on with other work.
    const other = new SqliteStore({ filename });
    await other.insertDelivery(delivery('msg_after', { receivedAt: Date.now() }));
    await other.close();
    const last = startCrashingProcessor(`sqlite:${filename}`, maxAttempts, 30_000);
    await last.ready;
    await eventually(
      'msg_after quarantined',
      async () => (read('msg_after')?.status === 'quarantined' ? true : undefined),
      20_000,
    );
    last.child.kill('SIGTERM');
    const exit = await last.exited;
    expect(exit.code, exit.output).toBe(0);
    expect(last.handled).toEqual([]);
    expect(read(id)).toEqual({
      status: 'failed',
      attempts: maxAttempts,
      last_error:
        'claimed 3 times without being settled: the processor crashed or stalled on it each time; requeue it once fixed',
    });
    // Four child processes each compile the sources through tsx: seconds apiece on a loaded machine.
  }, 90_000);

  it('hands each inserted event to exactly one claim, whether it is claimed from memory or read back', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const t = Date.UTC(2025, 0, 1);
    const store = new SqliteStore({ filename });
    const ids = Array.from({ length: 300 }, (_, i) => `msg_${i}`);
    // Claims race the inserts: some rows are claimed before their insert is even answered.
    const claimed: string[] = [];
    let inserting = true;
    const claiming = (async () => {
      while (inserting || claimed.length < ids.length) {
        const batch = await store.claimDue('w1', t, 30_000, 7);
        for (const c of batch) claimed.push(c.webhookId);
        await store.settleMany(
          'w1',
          batch.map((c) => ({ webhookId: c.webhookId, settlement: { status: 'unhandled' as const } })),
          t,
        );
        if (batch.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(ids.map((id) => store.insertDelivery(delivery(id, { receivedAt: t }))));
    inserting = false;
    await claiming;
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await store.claimDue('w1', t + 60_000, 30_000, 10)).toEqual([]);
    await store.close();
  });
});

describe('SqliteStore on a file made with the first schema', () => {
  // The first schema, as files created before claims moved to memory have it.
  const firstSchema = `
    CREATE TABLE webhook_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      webhook_id TEXT NOT NULL UNIQUE,
      event_type TEXT,
      status TEXT NOT NULL CHECK (status IN ('received','processed','failed','quarantined','unhandled')),
      body BLOB NOT NULL,
      headers TEXT NOT NULL,
      errors TEXT,
      deliveries_seen INTEGER NOT NULL DEFAULT 1,
      received_at INTEGER NOT NULL,
      processed_at INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      next_attempt_at INTEGER,
      claimed_by TEXT,
      lease_until INTEGER
    );
    CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    CREATE INDEX webhook_events_type ON webhook_events (event_type, seq);
    CREATE INDEX webhook_events_status ON webhook_events (status, seq);
    CREATE TABLE lesson_completions (
      user_id TEXT NOT NULL,
      course_id TEXT NOT NULL,
      lesson_id TEXT NOT NULL,
      completed_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, course_id, lesson_id)
    );
    CREATE INDEX lesson_completions_course ON lesson_completions (course_id);`;

  it('drops the unused lease columns and keeps every row, which stays claimable', async () => {
    const { dir, filename } = tempFile();
    try {
      fs.mkdirSync(path.dirname(filename), { recursive: true });
      const old = new Database(filename);
      old.exec(firstSchema);
      old
        .prepare(
          `INSERT INTO webhook_events (webhook_id, event_type, status, body, headers, errors, deliveries_seen,
             received_at, processed_at, attempts, last_error, next_attempt_at, claimed_by, lease_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          'msg_old_done',
          't.done',
          'processed',
          Buffer.from('{"a":1}'),
          '{"x":"1"}',
          null,
          2,
          1000,
          2000,
          1,
          null,
          null,
          null,
          null,
        );
      old
        .prepare(
          `INSERT INTO webhook_events (webhook_id, event_type, status, body, headers, received_at,
             next_attempt_at, attempts, last_error, claimed_by, lease_until)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          'msg_old_due',
          't.due',
          'failed',
          Buffer.from('{"b":2}'),
          '{}',
          3000,
          4000,
          1,
          'boom',
          'w-old',
          9000,
        );
      old.prepare('INSERT INTO lesson_completions VALUES (?, ?, ?, ?)').run('u1', 'c1', 'l1', 1500);
      old.close();

      const store = new SqliteStore({ filename });
      expect(await store.getEvent('msg_old_done')).toMatchObject({
        status: 'processed',
        deliveriesSeen: 2,
        receivedAt: 1000,
        processedAt: 2000,
        attempts: 1,
        headers: { x: '1' },
      });
      expect((await store.getEvent('msg_old_done'))!.body.toString()).toBe('{"a":1}');
      expect(await allProgress(store.reader(lessonProgress))).toEqual([
        { userId: 'u1', courseId: 'c1', completedLessons: 1, lessonIds: ['l1'], lastCompletedAt: 1500 },
      ]);
      expect(await nextDueAt(store)).toBe(4000);
      const claimed = await store.claimDue('w-new', 4000, 30_000, 10);
      expect(claimed.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_old_due', 2]]);
      expect(await store.settle('msg_old_due', 'w-new', { status: 'processed', effects: {} }, 4001)).toBe(
        true,
      );
      expect(await store.getEvent('msg_old_due')).toMatchObject({ status: 'processed', attempts: 2 });
      await store.close();

      const raw = new Database(filename, { readonly: true });
      const columns = (
        raw.prepare("SELECT name FROM pragma_table_info('webhook_events')").all() as { name: string }[]
      ).map((c) => c.name);
      expect(columns).not.toContain('claimed_by');
      expect(columns).not.toContain('lease_until');
      expect(columns).toContain('next_attempt_at');
      expect(columns).toContain('traceparent');
      expect(columns).toContain('type');
      expect(columns).not.toContain('event_type');
      expect(raw.pragma('user_version', { simple: true })).toBe(5);
      expect(raw.prepare('SELECT count(*) AS n FROM webhook_events').get()).toEqual({ n: 2 });
      raw.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteStore on a file at version 4, whose type column is event_type', () => {
  it('renames the column to type, keeping every row with its type, and lists, exports and claims by type', async () => {
    const { dir, filename } = tempFile();
    try {
      // A file as version 4 left it: made with the current schema, the column renamed back.
      await new SqliteStore({ filename }).close();
      const old = new Database(filename);
      old.exec('ALTER TABLE webhook_events RENAME COLUMN type TO event_type');
      old.pragma('user_version = 4');
      const insert = old.prepare(
        `INSERT INTO webhook_events (webhook_id, event_type, status, body, headers, received_at, next_attempt_at)
         VALUES (?, ?, ?, x'7b7d', '{}', ?, ?)`,
      );
      insert.run('msg_a', 't.a', 'processed', 1000, null);
      insert.run('msg_b', 't.b', 'failed', 2000, 2500);
      insert.run('msg_none', null, 'quarantined', 3000, null);
      old.close();

      const store = new SqliteStore({ filename });
      expect((await store.getEvent('msg_a'))!.type).toBe('t.a');
      expect((await store.getEvent('msg_none'))!.type).toBeNull();
      const byType = await store.listEvents({ type: 't.b', limit: 10 });
      expect(byType.events.map((e) => [e.webhookId, e.type])).toEqual([['msg_b', 't.b']]);
      const byTypeAndStatus = await store.listEvents({ type: 't.a', status: 'processed', limit: 10 });
      expect(byTypeAndStatus.events.map((e) => e.webhookId)).toEqual(['msg_a']);
      const exported = await store.exportEvents({ types: ['t.a', 't.b'], limit: 10 });
      expect(exported.map((e) => [e.webhookId, e.type])).toEqual([
        ['msg_a', 't.a'],
        ['msg_b', 't.b'],
      ]);
      const claimed = await store.claimDue('w1', 2500, 30_000, 10);
      expect(claimed.map((c) => [c.webhookId, c.type])).toEqual([['msg_b', 't.b']]);
      await store.close();

      const raw = new Database(filename, { readonly: true });
      const columns = (
        raw.prepare("SELECT name FROM pragma_table_info('webhook_events')").all() as { name: string }[]
      ).map((c) => c.name);
      expect(columns).toContain('type');
      expect(columns).not.toContain('event_type');
      const indexed = (
        raw.prepare("SELECT name FROM pragma_index_info('webhook_events_type')").all() as { name: string }[]
      ).map((c) => c.name);
      expect(indexed).toEqual(['type', 'seq']);
      expect(raw.pragma('user_version', { simple: true })).toBe(5);
      raw.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
