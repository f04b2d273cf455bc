// The writer thread: owns the only SQLite connection that writes, so each commit's fsync blocks
// this thread and never the HTTP thread. Inserts that arrive while a commit runs queue up in the
// port and are written together in the next transaction (group commit: one fsync for the lot);
// each request is answered after the commit that holds it.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from './SqliteSchema.js';
import { asBuffer, type WriteReply, type WriteRequest, type WriterData } from './SqliteWriterProtocol.js';
import { createSqliteWrites } from './SqliteWrites.js';
import type { InsertRow } from './StoreCore.js';

const port = parentPort;
if (port === null) throw new Error('SqliteWriterWorker must run as a worker thread (SqliteWriter starts it)');
const { filename } = workerData as WriterData;
// SqliteStore migrated the schema before starting this thread.
const db = openSqliteDatabase(filename, { migrate: false });
const writes = createSqliteWrites(db);

let inserts: Array<WriteRequest<'insertBatch'>> = [];
let flushScheduled = false;

function reply(message: WriteReply): void {
  port!.postMessage(message);
}

function failure(id: number, error: unknown): WriteReply {
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    id,
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function flushInserts(): void {
  flushScheduled = false;
  const batch = inserts;
  inserts = [];
  if (batch.length === 0) return;
  const items: InsertRow[] = [];
  for (const request of batch) {
    for (const r of request.args[0])
      items.push({ ...r, delivery: { ...r.delivery, body: asBuffer(r.delivery.body) } });
  }
  try {
    const outcomes = writes.insertBatch(items);
    let at = 0;
    for (const request of batch) {
      const n = request.args[0].length;
      reply({ id: request.id, ok: true, value: outcomes.slice(at, at + n) });
      at += n;
    }
  } catch (error) {
    for (const request of batch) reply(failure(request.id, error));
  }
}

port.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    flushInserts();
    db.close();
    port.close();
    return;
  }
  if (message.op === 'insertBatch') {
    inserts.push(message as WriteRequest<'insertBatch'>);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushInserts);
    }
    return;
  }
  try {
    const run = writes[message.op] as (...args: unknown[]) => unknown;
    reply({ id: message.id, ok: true, value: run(...message.args) });
  } catch (error) {
    reply(failure(message.id, error));
  }
});
