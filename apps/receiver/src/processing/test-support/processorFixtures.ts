// Shared pieces of the processor's tests: a real in-memory store, a clock the test moves, and a
// logger whose lines the test can read.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Counter } from 'prom-client';
import type { Logger } from '../../logging/logger.js';
import type { NewDelivery, Store, StoredEvent } from '../../store/core/Store.js';
import { SqliteStore } from '../../store/sqlite/SqliteStore.js';
import { delivery } from '../../store/test-support/storeContract.js';
import { completedEvent, type LessonFields } from '../../test-support/signedRequest.js';

/** A clock that moves only when the test says so. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

const levels: Record<number, LogLine['level']> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' };

/** A debug-level pino logger that keeps every line it writes. */
export function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(chunk.toString('utf8')) as { level: number } & Record<string, unknown>;
      lines.push({ ...line, level: levels[line.level] ?? 'error' } as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A stored course_lesson_interaction.completed delivery, due at `receivedAt`. */
export function completedDelivery(id: string, fields: LessonFields, receivedAt: number): NewDelivery {
  return delivery(id, { body: Buffer.from(JSON.stringify(completedEvent(fields))), receivedAt });
}

// Taken before any test fakes the timers, so waiting works under fake timers too.
const realSetTimeout = globalThis.setTimeout;

/** Polls `check` until it returns a value (not undefined); fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => realSetTimeout(resolve, 2));
  }
}

/** Waits until the stored event `matches`, and returns it. */
export function waitForEvent(
  store: Store,
  webhookId: string,
  matches: (event: StoredEvent) => boolean,
): Promise<StoredEvent> {
  return waitFor(async () => {
    const event = await store.getEvent(webhookId);
    return event !== null && matches(event) ? event : undefined;
  });
}

/** A counter's value summed over the series whose labels include `labels`. */
export async function counted(counter: Counter, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

export function memoryStore(): SqliteStore {
  return new SqliteStore({ filename: ':memory:' });
}
