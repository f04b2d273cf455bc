// What the writer thread does with the messages it gets (SqliteWriterWorker only hands it its
// port): it owns the only SQLite connection that writes, so each commit's fsync blocks that thread
// and never the HTTP thread. Inserts that arrive while a commit runs queue up in the port and are
// written together in the next transaction (group commit: one fsync for the lot); each request is
// answered after the commit that holds it, and a transaction the database refuses is written again
// request by request. Kept apart from the worker's entry so that it runs on any MessagePort,
// in-thread too.
import type { MessagePort } from 'node:worker_threads';
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import { openSqliteDatabase } from './SqliteSchema.js';
import {
  type AnyWriteRequest,
  type InsertRequest,
  insertedBodies,
  type WriteReply,
  type WriteRequest,
} from './SqliteWriterProtocol.js';
import { createSqliteWrites, type InsertColumns, type InsertResults } from './SqliteWrites.js';

function failure(id: number, error: unknown): WriteReply {
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    id,
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * Answers the write requests arriving on `port` on a connection of its own to `filename` (whose
 * schema must be current: SqliteStore migrates it first); `'close'` commits what is queued, then
 * closes the connection and the port.
 */
export function serveSqliteWrites(
  port: MessagePort,
  filename: string,
  outboxRoutes: readonly OutboxRoute[] = [],
): void {
  const db = openSqliteDatabase(filename, { migrate: false });
  const writes = createSqliteWrites(db, outboxRoutes);
  let inserts: InsertRequest[] = [];
  let flushScheduled = false;

  const reply = (message: WriteReply): void => port.postMessage(message);

  /** Writes `batch` in one transaction and answers each request; returns the error if it failed. */
  const insertTogether = (batch: readonly InsertRequest[]): unknown => {
    const rows: InsertColumns[] = [];
    const bodies: Buffer[] = [];
    for (const request of batch) {
      rows.push(...request.rows);
      bodies.push(...insertedBodies(request));
    }
    let results: InsertResults;
    try {
      results = writes.insertRows(rows, bodies);
    } catch (error) {
      return error;
    }
    let at = 0;
    for (const request of batch) {
      const n = 2 * request.rows.length;
      reply({ id: request.id, ok: true, value: batch.length === 1 ? results : results.slice(at, at + n) });
      at += n;
    }
    return undefined;
  };

  const flushInserts = (): void => {
    flushScheduled = false;
    const batch = inserts;
    inserts = [];
    if (batch.length === 0) return;
    const error = insertTogether(batch);
    if (error === undefined) return;
    if (batch.length === 1) {
      reply(failure(batch[0]!.id, error));
      return;
    }
    // A transaction the database refused fails only the requests that are refused on their own: a
    // row one request carries must not fail the others that shared its commit.
    for (const request of batch) {
      const own = insertTogether([request]);
      if (own !== undefined) reply(failure(request.id, own));
    }
  };

  port.on('message', (message: AnyWriteRequest | 'close') => {
    if (message === 'close') {
      flushInserts();
      db.close();
      port.close();
      return;
    }
    if (message.op === 'insertBatch') {
      inserts.push(message);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushInserts);
      }
      return;
    }
    try {
      let value: unknown;
      if (message.op === 'recordClaims') writes.recordClaimAttempts(message.claimed, message.exhausted);
      else if (message.op === 'settleClaims') value = writes.settleRows(message.rows, message.effects);
      else {
        const { op, args } = message as WriteRequest;
        value = (writes[op] as (...args: unknown[]) => unknown)(...args);
      }
      reply({ id: message.id, ok: true, value });
    } catch (error) {
      reply(failure(message.id, error));
    }
  });
}
