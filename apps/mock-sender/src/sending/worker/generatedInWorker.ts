// Generated lesson events made on a second thread. Generating, validating, serialising and signing
// an event costs about as much CPU as sending it; on a machine with a core to spare, a worker does
// that part while this thread sends (it signs again only an attempt made in a later second). The
// events are the same bytes, ids and order as the in-thread path (`payloadSource` then
// `rewriteIds`) for the same seed; they arrive through a shared-memory ring read synchronously, so
// the stream stays a plain iterator (duplicates, shuffle and the pool work on it unchanged).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { codeDir } from '../../codeDir.js';
import { GeneratorError } from '../../errors.js';
import type { Outgoing } from '../runDeliveries.js';
import { createRingMemory, RingReader } from './eventRing.js';
import type { GeneratorWorkerData } from './generatorWorker.js';

/** Below this many events a worker's start (tens of ms) costs more than it saves. */
export const WORKER_MIN_EVENTS = 2_000;
/** Ring size: a few thousand events ahead of the sockets, bounded whatever the count. */
const RING_BYTES = 1024 * 1024;
/** The worker has produced nothing for this long: it is gone (a start on a loaded machine included). */
const STALL_MS = 60_000;
const TYPE = 'course_lesson_interaction.completed';
/** The worker holds one event at a time: a small heap keeps a long run's peak memory low. */
const WORKER_YOUNG_MB = 1;
const WORKER_OLD_MB = 32;

/**
 * The worker entry as bundled beside the CLI (scripts/bundle-cli.mjs); absent when running from
 * sources (the tests), which then generate in-thread.
 */
export const GENERATOR_WORKER_FILE = join(codeDir, 'generatorWorker.js');

export interface WorkerEvents {
  /** The run's events, in order. */
  stream: Iterator<Outgoing>;
  /** Stops the worker (the run may end before the stream does). */
  close(): void;
}

/** Whether `count` generated events are worth a worker on this machine. */
export function workerPays(count: number, file = GENERATOR_WORKER_FILE): boolean {
  return count >= WORKER_MIN_EVENTS && availableParallelism() > 1 && existsSync(file);
}

/**
 * Starts a worker generating `count` lesson events for `seed` and returns them as a stream.
 * `inThread` must yield the very same events: it serves them until the worker's first are ready.
 *
 * @example
 * const events = generatedInWorker({ seed: '7', count: 10_000, keepIds: false }, sameEventsInThread);
 * try { for (let r = events.stream.next(); !r.done; r = events.stream.next()) send(r.value); }
 * finally { events.close(); }
 */
export function generatedInWorker(
  options: Omit<GeneratorWorkerData, 'memory'>,
  inThread: Iterator<Outgoing>,
  file = GENERATOR_WORKER_FILE,
): WorkerEvents {
  const memory = createRingMemory(RING_BYTES);
  const data: GeneratorWorkerData = { memory, ...options };
  const worker = new Worker(file, {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: WORKER_OLD_MB },
  });
  // Never what keeps the process alive: the run closes it, and its end is read from the ring.
  worker.unref();
  const reader = new RingReader(memory);
  let failure: Error | undefined;
  worker.on('error', (error) => {
    failure = error;
  });
  function* stream(): Generator<Outgoing> {
    // While the worker starts (tens of ms), this thread makes the first events itself; the worker
    // makes them too (it cannot know how many), and those records are passed over. A worker that
    // could not start leaves this thread to make them all.
    let made = 0;
    while (reader.empty) {
      const item = inThread.next();
      if (item.done === true) return;
      made++;
      yield item.value;
      if (failure !== undefined && reader.empty) {
        yield* { [Symbol.iterator]: () => inThread };
        return;
      }
    }
    inThread.return?.();
    for (;;) {
      if (failure !== undefined) throw new GeneratorError(failure.message, { cause: failure });
      const entry = reader.next(STALL_MS);
      if (entry.kind === 'end') return;
      if (entry.kind === 'failed') throw new GeneratorError(entry.message);
      if (made > 0) {
        made--;
        continue;
      }
      const { webhookId, body, signed } = entry;
      yield signed === undefined
        ? { webhookId, type: TYPE, body, first: true }
        : { webhookId, type: TYPE, body, first: true, signed };
    }
  }
  return {
    stream: stream(),
    close() {
      reader.close();
    },
  };
}
