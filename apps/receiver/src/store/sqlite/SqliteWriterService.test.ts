// The writer thread's message handling, run in-thread on a MessageChannel: the same code the worker
// runs, seen through the replies it posts and the rows it leaves in the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { InsertRow } from '../core/StoreCore.js';
import { delivery } from '../test-support/storeContract.js';
import { walCommits } from '../test-support/walCommits.js';
import { openSqliteDatabase } from './SqliteSchema.js';
import { claimsRequest, insertRequest, settleRequest, type WriteReply } from './SqliteWriterProtocol.js';
import { serveSqliteWrites } from './SqliteWriterService.js';
import type { SqliteWrites } from './SqliteWrites.js';

interface Served {
  filename: string;
  /** A connection of the test's own, to read what the service committed. */
  db: Database.Database;
  port: MessagePort;
  replies: WriteReply[];
  /** Resolves once `count` replies have arrived in all. */
  replied(count: number): Promise<WriteReply[]>;
  send<Op extends keyof SqliteWrites>(id: number, op: Op, args: Parameters<SqliteWrites[Op]>): void;
}

const opened: Served[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const s of opened.splice(0)) {
    s.port.close();
    s.db.close();
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function serve(): Served {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-writer-'));
  dirs.push(dir);
  const filename = path.join(dir, 'events.sqlite');
  const db = openSqliteDatabase(filename);
  const { port1, port2 } = new MessageChannel();
  serveSqliteWrites(port2, filename);
  const replies: WriteReply[] = [];
  let waiting: { count: number; resolve: (r: WriteReply[]) => void } | undefined;
  port1.on('message', (reply: WriteReply) => {
    replies.push(reply);
    if (waiting !== undefined && replies.length >= waiting.count) waiting.resolve([...replies]);
  });
  const served: Served = {
    filename,
    db,
    port: port1,
    replies,
    replied: (count) =>
      replies.length >= count
        ? Promise.resolve([...replies])
        : new Promise((resolve) => (waiting = { count, resolve })),
    // Each request travels as SqliteWriter sends it (see SqliteWriterProtocol).
    send: (id, op, args) => {
      if (op === 'insertBatch') {
        const request = insertRequest(id, (args as Parameters<SqliteWrites['insertBatch']>)[0]);
        port1.postMessage(request, [request.bodies.buffer as ArrayBuffer]);
      } else if (op === 'recordClaims') {
        const [claimed, exhausted] = args as Parameters<SqliteWrites['recordClaims']>;
        port1.postMessage(claimsRequest(id, claimed, exhausted));
      } else if (op === 'settleClaims') {
        port1.postMessage(settleRequest(id, (args as Parameters<SqliteWrites['settleClaims']>)[0]));
      } else port1.postMessage({ id, op, args });
    },
  };
  opened.push(served);
  return served;
}

const rows = (...ids: string[]): InsertRow[] => ids.map((id) => ({ delivery: delivery(id), copies: 1 }));

function stored(db: Database.Database): { webhook_id: string; deliveries_seen: number }[] {
  return db
    .prepare<[], { webhook_id: string; deliveries_seen: number }>(
      'SELECT webhook_id, deliveries_seen FROM webhook_events ORDER BY webhook_id',
    )
    .all();
}

describe('serveSqliteWrites', () => {
  it('writes the inserts that arrive together in one commit and answers each with its own outcomes', async () => {
    const s = serve();
    const before = walCommits(s.filename);
    s.send(1, 'insertBatch', [rows('msg_a', 'msg_b')]);
    s.send(2, 'insertBatch', [[{ delivery: delivery('msg_a'), copies: 2 }, ...rows('msg_c')]]);
    const replies = await s.replied(2);
    expect(walCommits(s.filename) - before).toBe(1);
    // Each row's status and deliveries_seen after the upsert (InsertResults).
    expect(replies).toEqual([
      { id: 1, ok: true, value: ['received', 1, 'received', 1] },
      { id: 2, ok: true, value: ['received', 3, 'received', 1] },
    ]);
    expect(stored(s.db)).toEqual([
      { webhook_id: 'msg_a', deliveries_seen: 3 },
      { webhook_id: 'msg_b', deliveries_seen: 1 },
      { webhook_id: 'msg_c', deliveries_seen: 1 },
    ]);

    // What arrives after the answers goes in a commit of its own.
    s.send(3, 'insertBatch', [rows('msg_d')]);
    await s.replied(3);
    expect(walCommits(s.filename) - before).toBe(2);
  });

  it('stores a body sent as a view into a larger buffer as exactly the viewed bytes', async () => {
    const s = serve();
    const whole = Buffer.from('xxxx{"id":"msg_view"}yyyy');
    const body = whole.subarray(4, whole.length - 4);
    s.send(1, 'insertBatch', [[{ delivery: delivery('msg_view', { body }), copies: 1 }]]);
    await s.replied(1);
    const row = s.db
      .prepare<[string], { body: Buffer }>('SELECT body FROM webhook_events WHERE webhook_id = ?')
      .get('msg_view');
    expect(row?.body.toString()).toBe('{"id":"msg_view"}');
  });

  it('stores a delivery without errors with NULL errors, and gives only a received one a due time', async () => {
    const s = serve();
    const received = delivery('msg_received');
    const errors = [{ pointer: '/type', message: 'unknown event type' }];
    s.send(1, 'insertBatch', [
      [
        { delivery: received, copies: 1 },
        { delivery: delivery('msg_quarantined', { status: 'quarantined', errors }), copies: 1 },
      ],
    ]);
    await s.replied(1);
    expect(
      s.db
        .prepare('SELECT webhook_id, errors, next_attempt_at FROM webhook_events ORDER BY webhook_id')
        .all(),
    ).toEqual([
      { webhook_id: 'msg_quarantined', errors: JSON.stringify(errors), next_attempt_at: null },
      { webhook_id: 'msg_received', errors: null, next_attempt_at: received.receivedAt },
    ]);
  });

  it('writes the requests of a refused transaction again one by one: only the one SQLite refuses fails, with its code', async () => {
    const s = serve();
    const before = walCommits(s.filename);
    s.send(1, 'insertBatch', [rows('msg_fine')]);
    s.send(2, 'insertBatch', [
      [
        ...rows('msg_bad_batch'),
        { delivery: delivery('msg_bad', { status: 'bogus' as 'received' }), copies: 1 },
      ],
    ]);
    s.send(3, 'insertBatch', [rows('msg_also_fine')]);
    const replies = await s.replied(3);
    // Answered in the order they were sent.
    expect(replies).toEqual([
      { id: 1, ok: true, value: ['received', 1] },
      {
        id: 2,
        ok: false,
        message: expect.stringContaining('CHECK constraint failed'),
        code: 'SQLITE_CONSTRAINT_CHECK',
      },
      { id: 3, ok: true, value: ['received', 1] },
    ]);
    // The refused request stores none of its rows (StoreCore then writes them row by row).
    expect(stored(s.db)).toEqual([
      { webhook_id: 'msg_also_fine', deliveries_seen: 1 },
      { webhook_id: 'msg_fine', deliveries_seen: 1 },
    ]);
    expect(walCommits(s.filename) - before).toBe(2);
  });

  it('fails a lone refused request with its code and stores none of its rows', async () => {
    const s = serve();
    s.send(1, 'insertBatch', [
      [...rows('msg_first'), { delivery: delivery('msg_bad', { status: 'bogus' as 'received' }), copies: 1 }],
    ]);
    const [reply] = await s.replied(1);
    expect(reply).toMatchObject({ id: 1, ok: false, code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(stored(s.db)).toEqual([]);
  });

  it('answers settlements, requeues and PRAGMA reads at once, and a refused one with its message and no code', async () => {
    const s = serve();
    s.send(1, 'insertBatch', [rows('msg_s')]);
    await s.replied(1);
    const settlement = {
      webhookId: 'msg_s',
      status: 'processed' as const,
      errors: null,
      errorCount: null,
      processedAt: 5,
      lastError: null,
      nextAttemptAt: null,
      effects: {},
      attempts: 1,
    };
    s.send(2, 'settleClaims', [[settlement, { ...settlement, webhookId: 'msg_missing' }]]);
    s.send(3, 'requeue', ['msg_gone', 9]);
    s.send(4, 'readPragma', ['synchronous']);
    s.send(5, 'readPragma', ['synchronous; DROP TABLE webhook_events']);
    const replies = await s.replied(5);
    expect(replies.slice(1)).toStrictEqual([
      { id: 2, ok: true, value: [true, false] },
      { id: 3, ok: true, value: false },
      { id: 4, ok: true, value: 2 },
      { id: 5, ok: false, message: 'not a PRAGMA name: synchronous; DROP TABLE webhook_events' },
    ]);
    expect(s.db.prepare('SELECT status, processed_at, attempts FROM webhook_events').all()).toEqual([
      { status: 'processed', processed_at: 5, attempts: 1 },
    ]);
  });

  it('commits the inserts still queued when told to close, then closes its connection and port', async () => {
    const s = serve();
    const closed = new Promise<void>((resolve) => s.port.once('close', resolve));
    s.send(1, 'insertBatch', [rows('msg_last')]);
    s.port.postMessage('close');
    await s.replied(1);
    await closed;
    expect(s.replies).toEqual([{ id: 1, ok: true, value: ['received', 1] }]);
    expect(stored(s.db)).toEqual([{ webhook_id: 'msg_last', deliveries_seen: 1 }]);
  });
});
