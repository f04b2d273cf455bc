// The HTTP thread's handle on the writer worker: each write becomes a message, answered after the
// worker's commit. The worker is unref'd while nothing is in flight, so an idle store never keeps
// the process alive.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OutboxRoute } from '../../forwarding/outbox/OutboxRoute.js';
import {
  type AnyWriteRequest,
  claimsRequest,
  insertRequest,
  settleRequest,
  type WriteOp,
  type WriteReply,
  type WriterData,
} from './SqliteWriterProtocol.js';
import { type InsertResults, insertOutcomes, type SqliteWrites } from './SqliteWrites.js';

type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

// The writer allocates little (rows in, outcomes out): a small young generation keeps the extra
// thread's share of the process's memory small.
const resourceLimits = { maxYoungGenerationSizeMb: 8 };

/** Starts the worker from the built .js, or from the .ts source (tests, tsx) through tsx's loader. */
function startWorker(data: WriterData): Worker {
  const self = import.meta.url;
  if (self.endsWith('.js')) {
    return new Worker(new URL('./SqliteWriterWorker.js', self), { workerData: data, resourceLimits });
  }
  const tsxPackage = createRequire(self).resolve('tsx/package.json');
  const loader = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./SqliteWriterWorker.ts', self).href;
  return new Worker(
    `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, workerData: data, resourceLimits },
  );
}

export class SqliteWriter implements Async<SqliteWrites> {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private dead: Error | undefined;
  private readonly exited: Promise<void>;
  private drained: (() => void) | undefined;

  constructor(filename: string, outboxRoutes: readonly OutboxRoute[] = []) {
    this.worker = startWorker({ filename, outboxRoutes });
    this.worker.on('message', (reply: WriteReply) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) {
        this.worker.unref();
        this.drained?.();
      }
      if (reply.ok) waiter.resolve(reply.value);
      // The code (SQLITE_CONSTRAINT, …) tells a row the database refuses from a failing database.
      else
        waiter.reject(
          Object.assign(new Error(reply.message), reply.code === undefined ? {} : { code: reply.code }),
        );
    });
    // After the 'message' listener: adding one refs the worker's port again.
    this.worker.unref();
    // An error the thread left uncaught arrives structured-cloned, and one from better-sqlite3 (not
    // built as a real Error) as a plain object that keeps only its code.
    this.worker.on('error', (error: { message?: unknown; code?: unknown }) =>
      this.fail(
        new Error(`the SQLite writer thread failed: ${error.message ?? error.code}`, { cause: error }),
      ),
    );
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new Error(`the SQLite writer thread exited (code ${code})`));
        resolve();
      }),
    );
  }

  /** Why the writer thread stopped (crashed, or closed), or undefined while it runs. */
  get failure(): Error | undefined {
    return this.dead;
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    this.drained?.();
  }

  private call<Op extends WriteOp>(
    op: Op,
    args: Parameters<SqliteWrites[Op]>,
  ): Promise<ReturnType<SqliteWrites[Op]>> {
    return this.send({ id: this.nextId++, op, args }) as Promise<ReturnType<SqliteWrites[Op]>>;
  }

  /** Posts `message`, moving the buffers in `transfer` to the worker; resolves with its reply. */
  private send(message: AnyWriteRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(message.id, { resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  async insertBatch(...[rows]: Parameters<SqliteWrites['insertBatch']>) {
    const request = insertRequest(this.nextId++, rows);
    // The bodies' buffer is the request's own: moved to the worker, not copied.
    const results = await this.send(request, [request.bodies.buffer as ArrayBuffer]);
    return insertOutcomes(results as InsertResults, rows);
  }

  recordClaims(...[claimed, exhausted]: Parameters<SqliteWrites['recordClaims']>) {
    return this.send(claimsRequest(this.nextId++, claimed, exhausted)) as Promise<void>;
  }

  settleClaims(...[items]: Parameters<SqliteWrites['settleClaims']>) {
    return this.send(settleRequest(this.nextId++, items)) as Promise<boolean[]>;
  }

  requeue(...args: Parameters<SqliteWrites['requeue']>) {
    return this.call('requeue', args);
  }

  probeWrite(...args: Parameters<SqliteWrites['probeWrite']>) {
    return this.call('probeWrite', args);
  }

  readPragma(...args: Parameters<SqliteWrites['readPragma']>) {
    return this.call('readPragma', args);
  }

  outbox(...args: Parameters<SqliteWrites['outbox']>) {
    return this.call('outbox', args);
  }

  /** Stops the thread at once, as a crash would: writes in flight reject. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  /** Lets in-flight writes finish, then closes the worker's connection and waits for it to exit. */
  async close(): Promise<void> {
    if (this.dead === undefined) {
      if (this.waiting.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.worker.ref();
      this.worker.postMessage('close');
    }
    await this.exited;
  }
}
