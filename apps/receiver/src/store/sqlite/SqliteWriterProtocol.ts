// Messages between SqliteWriter (the HTTP thread) and SqliteWriterWorker (the thread that owns the
// SQLite write connection). An insert batch travels flat (InsertRequest): each row's columns as an
// array of primitives and every body in one buffer that is transferred, not copied. Structured
// clone copies an object's every key and each body's bytes twice (into the message, then into a new
// buffer on the other side), and inserts are the one message per batch of deliveries. Other
// operations travel as their arguments.
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import type { InsertRow } from '../core/StoreCore.js';
import { type InsertColumns, insertColumns, type SqliteWrites } from './SqliteWrites.js';

export type WriteOp = keyof SqliteWrites;

export interface WriteRequest<Op extends WriteOp = WriteOp> {
  id: number;
  op: Op;
  args: Parameters<SqliteWrites[Op]>;
}

/** An insert batch (SqliteWrites.insertBatch) as it travels. */
export interface InsertRequest {
  id: number;
  op: 'insertBatch';
  rows: InsertColumns[];
  /** Every row's body, one after the other; row i's ends at `ends[i]`. */
  bodies: Uint8Array;
  ends: number[];
}

export type WriteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; code?: string };

export interface WriterData {
  filename: string;
  /** The destinations whose outbox rows inserts and settlements write. */
  outboxRoutes: readonly OutboxRoute[];
}

/**
 * The message of an insert batch; post it with `[request.bodies.buffer]` as the transfer list (the
 * buffer is the request's own). The rows keep only their columns: a validated `event` stays on this
 * thread.
 */
export function insertRequest(id: number, rows: readonly InsertRow[]): InsertRequest {
  let size = 0;
  for (const r of rows) size += r.delivery.body.byteLength;
  const bodies = new Uint8Array(size);
  const ends: number[] = [];
  let end = 0;
  for (const r of rows) {
    bodies.set(r.delivery.body, end);
    end += r.delivery.body.byteLength;
    ends.push(end);
  }
  return { id, op: 'insertBatch', rows: rows.map(insertColumns), bodies, ends };
}

/** The bodies of an insert request, each a view into the request's buffer. */
export function insertedBodies(request: InsertRequest): Buffer[] {
  const all = asBuffer(request.bodies);
  let start = 0;
  return request.ends.map((end) => {
    const body = all.subarray(start, end);
    start = end;
    return body;
  });
}

/** A Buffer over the same memory, for a Uint8Array that came through postMessage. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
