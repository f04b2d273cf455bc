// Messages between SqliteWriter (the HTTP thread) and SqliteWriterWorker (the thread that owns the
// SQLite write connection). Bodies travel as compact Uint8Arrays: structured clone copies a view's
// whole ArrayBuffer, and a socket chunk's buffer can be a large shared pool.
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import type { SqliteWrites } from './SqliteWrites.js';

export type WriteOp = keyof SqliteWrites;

export interface WriteRequest<Op extends WriteOp = WriteOp> {
  id: number;
  op: Op;
  args: Parameters<SqliteWrites[Op]>;
}

export type WriteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; code?: string };

export interface WriterData {
  filename: string;
  /** The destinations whose outbox rows inserts and settlements write. */
  outboxRoutes: readonly OutboxRoute[];
}

/** A Buffer over the same memory, for a Uint8Array that came through postMessage. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
