// Messages between SqliteWriter (the HTTP thread) and SqliteWriterWorker (the thread that owns the
// SQLite write connection). The messages of every delivery's path travel flat: an insert batch
// (InsertRequest) as each row's columns in an array of primitives and every body in one buffer that
// is transferred, not copied, answered with flat outcomes (InsertResults); a claim round's attempts
// (ClaimsRequest) and a processing batch's settlements (SettleRequest) as arrays too. Structured
// clone writes and reads back an object's every key (the reading side rebuilds each object
// property by property) and copies each body's bytes twice (into the message, then into a new
// buffer on the other side). Other operations travel as their arguments.
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import type { ProcessingEffects } from '../core/Store.js';
import type { InsertRow } from '../core/StoreCore.js';
import type { ClaimSettlement } from './SqliteClaims.js';
import {
  type ClaimAttempt,
  type ClaimAttempts,
  claimAttempts,
  type InsertColumns,
  insertColumns,
  type SettleColumns,
  type SqliteWrites,
  settleColumns,
} from './SqliteWrites.js';

/** The operations that travel as their arguments (WriteRequest). */
export type WriteOp = Exclude<keyof SqliteWrites, 'insertBatch' | 'recordClaims' | 'settleClaims'>;

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

/** A claim round's attempts (SqliteWrites.recordClaims) as they travel. */
export interface ClaimsRequest {
  id: number;
  op: 'recordClaims';
  claimed: ClaimAttempts;
  exhausted: ClaimAttempts;
}

/** A batch of settlements (SqliteWrites.settleClaims) as it travels; `effects[i]` are row i's. */
export interface SettleRequest {
  id: number;
  op: 'settleClaims';
  rows: SettleColumns[];
  effects: ProcessingEffects[];
}

/** Any message the writer thread answers. An insert's reply value is its InsertResults. */
export type AnyWriteRequest = WriteRequest | InsertRequest | ClaimsRequest | SettleRequest;

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

export function claimsRequest(
  id: number,
  claimed: readonly ClaimAttempt[],
  exhausted: readonly ClaimAttempt[],
): ClaimsRequest {
  return { id, op: 'recordClaims', claimed: claimAttempts(claimed), exhausted: claimAttempts(exhausted) };
}

export function settleRequest(id: number, items: readonly ClaimSettlement[]): SettleRequest {
  return { id, op: 'settleClaims', rows: items.map(settleColumns), effects: items.map((i) => i.effects) };
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
