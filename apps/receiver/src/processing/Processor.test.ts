// The processor's behaviour over a real in-memory store: what each event settles as, retries and
// backoff, when the worker looks for work (polling, coalesced wake-ups; timers faked where that is
// the point), start/stop and the drain deadline, lost leases and store failures. One file, so a
// mutation run imports the store and the schema once per mutant.
import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { lessonProgress } from '../readModels/lessonProgress/index.js';
import { allProgress } from '../readModels/lessonProgress/test-support/allProgress.js';
import type { ClaimedEvent, Store } from '../store/core/Store.js';
import { delivery } from '../store/test-support/storeContract.js';
import { completedEvent } from '../test-support/signedRequest.js';
import type { EventHandlers } from './EventHandlers.js';
import { Processor, type ProcessorOptions } from './Processor.js';
import {
  capturedLogger,
  completedDelivery,
  counted,
  memoryStore,
  testClock,
  waitFor,
  waitForEvent,
} from './test-support/processorFixtures.js';

function failingHandlers(failures: number, error: unknown = new Error('db down')): EventHandlers {
  let calls = 0;
  return {
    'course_lesson_interaction.completed': () => {
      calls += 1;
      if (calls <= failures) throw error;
      return {};
    },
  };
}

/** The store as one without the optional settleMany (its own settle still works). */
function withoutSettleMany(store: Store): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'settleMany') return undefined;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function throwingOnce(): EventHandlers {
  let thrown = false;
  return {
    'course_lesson_interaction.completed': () => {
      if (thrown) return {};
      thrown = true;
      throw new Error('handler broke');
    },
  };
}

/** A handler that holds the first event it gets until `release()`. */
function heldHandler() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered = false;
  const handlers: EventHandlers = {
    'course_lesson_interaction.completed': async () => {
      if (!entered) {
        entered = true;
        await gate;
      }
      return {};
    },
  };
  return { handlers, release, entered: () => (entered ? true : undefined) };
}

async function processedCount(store: ReturnType<typeof memoryStore>): Promise<number> {
  return (await store.listEvents({ limit: 100, status: 'processed' })).events.length;
}

describe('Processor', () => {
  it('lets two instances on one database process each event exactly once', async () => {
    const store = memoryStore();
    const seen: string[] = [];
    const handlers = {
      'course_lesson_interaction.completed': async (e: CourseLessonInteractionCompleted) => {
        seen.push(e.data.lesson.id);
        await Promise.resolve();
        return {};
      },
    };
    const ids = Array.from({ length: 40 }, (_, i) => `msg_${i}`);
    await Promise.all(
      ids.map((id, i) => store.insertDelivery(completedDelivery(id, { lessonId: `lesn_${i}` }, Date.now()))),
    );
    const a = new Processor({ store, handlers, workerId: 'a', batchSize: 3, pollIntervalMs: 5 });
    const b = new Processor({ store, handlers, workerId: 'b', batchSize: 3, pollIntervalMs: 5 });
    a.start();
    b.start();
    await waitFor(async () =>
      (await store.listEvents({ limit: 100, status: 'processed' })).events.length === 40 ? true : undefined,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(seen.slice().sort()).toEqual(ids.map((_, i) => `lesn_${i}`).sort());
    await store.close();
  });

  it('claims with its defaults: a 30 s lease, 100 events a round, 5 attempts, under its own worker id', async () => {
    const store = memoryStore();
    const claimDue = vi.spyOn(store, 'claimDue');
    const clock = testClock();
    const p = new Processor({ store, now: clock.now });
    expect(p.workerId).toMatch(/^[^:]+:\d+:[0-9a-f]{8}$/);
    expect(p.workerId.split(':').slice(0, 2)).toEqual([
      (await import('node:os')).hostname(),
      `${process.pid}`,
    ]);
    expect(new Processor({ store }).workerId).not.toBe(p.workerId);
    p.start();
    await p.stop();
    expect(claimDue).toHaveBeenCalledWith(p.workerId, clock.now(), 30_000, 100, 5);
    await store.close();
  });

  it('claims with the lease, batch size, attempts and worker id it is given', async () => {
    const store = memoryStore();
    const claimDue = vi.spyOn(store, 'claimDue');
    const clock = testClock();
    const p = new Processor({
      store,
      now: clock.now,
      workerId: 'w1',
      leaseMs: 7,
      batchSize: 3,
      maxAttempts: 2,
    });
    expect(p.workerId).toBe('w1');
    p.start();
    await p.stop();
    expect(claimDue).toHaveBeenCalledWith('w1', clock.now(), 7, 3, 2);
    await store.close();
  });

  it("applies the default handler's effects with the settlement and counts it", async () => {
    const store = memoryStore();
    const metrics = new ReceiverMetrics();
    const clock = testClock();
    await store.insertDelivery(
      completedDelivery(
        'msg_1',
        { userId: 'user_1', courseId: 'cors_1', lessonId: 'lesn_1', createdAt: '2024-05-06T07:08:09.010Z' },
        clock.now(),
      ),
    );
    const { logger, lines } = capturedLogger();
    const p = new Processor({ store, metrics, logger, now: clock.now });
    p.start();
    await p.stop();
    const event = await store.getEvent('msg_1');
    expect(event).toMatchObject({ status: 'processed', attempts: 1, processedAt: clock.now() });
    expect(await allProgress(store.reader(lessonProgress))).toEqual([
      {
        userId: 'user_1',
        courseId: 'cors_1',
        completedLessons: 1,
        lessonIds: ['lesn_1'],
        lastCompletedAt: Date.UTC(2024, 4, 6, 7, 8, 9, 10),
      },
    ]);
    expect(await counted(metrics.processed, { status: 'processed' })).toBe(1);
    expect(await counted(metrics.handlerInvocations, { type: 'course_lesson_interaction.completed' })).toBe(
      1,
    );
    expect(await counted(metrics.processingFailures)).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'debug',
        msg: 'event settled',
        webhookId: 'msg_1',
        status: 'processed',
      }),
    );
    await store.close();
  });

  it('settles invalid stored bodies as quarantined and unknown types as unhandled on replay', async () => {
    const store = memoryStore();
    const metrics = new ReceiverMetrics();
    await store.insertDelivery(
      delivery('msg_bad', { body: Buffer.from('{"type":"course_lesson_interaction.completed"}') }),
    );
    await store.insertDelivery(
      delivery('msg_other', {
        body: Buffer.from(
          '{"id":"x","api_version":"v1","timestamp":"2025-01-01T00:00:00Z","type":"payout.created","data":{}}',
        ),
      }),
    );
    await store.insertDelivery(delivery('msg_text', { body: Buffer.from('plain text') }));
    // A well-formed event whose bytes are not UTF-8 (0xff inside a string): not decoded leniently.
    const bytes = Buffer.from(JSON.stringify(completedEvent({ lessonId: 'lesn_XX' })));
    bytes[bytes.indexOf('lesn_XX') + 5] = 0xff;
    await store.insertDelivery(delivery('msg_latin', { body: bytes }));
    const p = new Processor({ store, metrics, pollIntervalMs: 5 });
    p.start();
    await p.stop();
    expect(await store.getEvent('msg_bad')).toMatchObject({ status: 'quarantined' });
    expect((await store.getEvent('msg_bad'))!.errors!.length).toBeGreaterThan(0);
    expect(await store.getEvent('msg_other')).toMatchObject({ status: 'unhandled', errors: null });
    for (const id of ['msg_text', 'msg_latin']) {
      const { status, errors } = (await store.getEvent(id))!;
      expect(status).toBe('quarantined');
      expect(errors).toEqual([{ pointer: '', message: expect.stringMatching(/^invalid JSON: \w/) }]);
    }
    expect(await counted(metrics.processed, { status: 'quarantined' })).toBe(3);
    expect(await counted(metrics.processed, { status: 'unhandled' })).toBe(1);
    expect(await counted(metrics.handlerInvocations)).toBe(0);
    await store.close();
  });

  it('processes a fresh row from the event the HTTP layer validated, without parsing its bytes', async () => {
    const store = memoryStore();
    const seen: string[] = [];
    const handlers = {
      'course_lesson_interaction.completed': (e: CourseLessonInteractionCompleted) => {
        seen.push(e.data.lesson.id);
        return {};
      },
    };
    // Bytes that are not JSON: only the handed event can make this row `processed`.
    const event = completedEvent({ lessonId: 'lesn_handed' }) as unknown as CourseLessonInteractionCompleted;
    await store.insertDelivery(delivery('msg_fresh', { body: Buffer.from('not json'), event }));
    const p = new Processor({ store, handlers, pollIntervalMs: 60_000 });
    p.start();
    await p.stop();
    expect(seen).toEqual(['lesn_handed']);
    expect((await store.getEvent('msg_fresh'))!.status).toBe('processed');
    await store.close();
  });

  it('parses and validates a row read back from the store, whatever event it arrived with', async () => {
    const store = memoryStore();
    const seen: string[] = [];
    const handlers = {
      'course_lesson_interaction.completed': (e: CourseLessonInteractionCompleted) => {
        seen.push(e.data.lesson.id);
        return {};
      },
    };
    const handed = completedEvent({ lessonId: 'lesn_handed' }) as unknown as CourseLessonInteractionCompleted;
    const stored = completedEvent({ lessonId: 'lesn_stored' });
    await store.insertDelivery(
      delivery('msg_valid', { body: Buffer.from(JSON.stringify(stored)), event: handed }),
    );
    await store.insertDelivery(delivery('msg_invalid', { body: Buffer.from('not json'), event: handed }));
    const first = new Processor({ store, handlers, pollIntervalMs: 60_000 });
    first.start();
    await first.stop();
    expect(seen).toEqual(['lesn_handed', 'lesn_handed']);
    // A requeue (as a restart would) leaves only the stored bytes to go by.
    await store.requeue('msg_valid', Date.now());
    await store.requeue('msg_invalid', Date.now());
    const again = new Processor({ store, handlers, pollIntervalMs: 60_000 });
    again.start();
    await again.stop();
    expect(seen).toEqual(['lesn_handed', 'lesn_handed', 'lesn_stored']);
    expect((await store.getEvent('msg_valid'))!.status).toBe('processed');
    expect((await store.getEvent('msg_invalid'))!.status).toBe('quarantined');
    await store.close();
  });

  it('settles a known type as unhandled when its handler is taken away', async () => {
    const store = memoryStore();
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    // exactOptionalPropertyTypes forbids this in TypeScript; a JavaScript caller can still do it.
    const handlers = { 'course_lesson_interaction.completed': undefined } as unknown as EventHandlers;
    const p = new Processor({ store, handlers });
    p.start();
    await p.stop();
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'unhandled', lastError: null });
    await store.close();
  });

  it('retries a failing handler with doubling delays up to the cap, then settles it processed', async () => {
    const store = memoryStore();
    const clock = testClock();
    const t0 = clock.now();
    const metrics = new ReceiverMetrics();
    const { logger, lines } = capturedLogger();
    const claimDue = vi.spyOn(store, 'claimDue');
    await store.insertDelivery(completedDelivery('msg_1', {}, t0));
    const p = new Processor({
      store,
      metrics,
      logger,
      handlers: failingHandlers(2),
      now: clock.now,
      pollIntervalMs: 2,
      retryBaseMs: 1000,
      retryMaxMs: 1500,
    });
    p.start();
    const first = await waitForEvent(store, 'msg_1', (e) => e.status === 'failed');
    expect(first).toMatchObject({ attempts: 1, lastError: 'db down', nextAttemptAt: t0 + 1000 });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'event failed; will retry',
        webhookId: 'msg_1',
        attempts: 1,
        error: 'db down',
      }),
    );
    // Not due a millisecond early: let the worker look twice with the clock there.
    clock.advance(999);
    const looked = claimDue.mock.calls.length;
    await waitFor(() => (claimDue.mock.calls.length >= looked + 2 ? true : undefined));
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'failed', attempts: 1 });
    clock.advance(1);
    const second = await waitForEvent(store, 'msg_1', (e) => e.attempts === 2);
    expect(second).toMatchObject({ status: 'failed', nextAttemptAt: t0 + 1000 + 1500 });
    clock.advance(1500);
    const third = await waitForEvent(store, 'msg_1', (e) => e.attempts === 3);
    expect(third).toMatchObject({ status: 'processed', lastError: null, nextAttemptAt: null });
    await p.stop();
    expect(await counted(metrics.processed, { status: 'failed' })).toBe(2);
    expect(await counted(metrics.processed, { status: 'processed' })).toBe(1);
    expect(await counted(metrics.processingFailures)).toBe(2);
    expect(await counted(metrics.handlerInvocations)).toBe(3);
    await store.close();
  });

  it('waits a second before the first retry by default', async () => {
    const store = memoryStore();
    const clock = testClock();
    await store.insertDelivery(completedDelivery('msg_1', {}, clock.now()));
    const p = new Processor({ store, handlers: failingHandlers(1), now: clock.now });
    p.start();
    await p.stop();
    expect(await store.getEvent('msg_1')).toMatchObject({
      status: 'failed',
      attempts: 1,
      nextAttemptAt: clock.now() + 1000,
    });
    await store.close();
  });

  it('leaves an event failed for good after maxAttempts, and records a thrown non-Error as text', async () => {
    const store = memoryStore();
    const clock = testClock();
    const { logger, lines } = capturedLogger();
    const claimDue = vi.spyOn(store, 'claimDue');
    await store.insertDelivery(completedDelivery('msg_1', {}, clock.now()));
    const p = new Processor({
      store,
      logger,
      handlers: failingHandlers(Number.POSITIVE_INFINITY, 'plain refusal'),
      now: clock.now,
      pollIntervalMs: 2,
      maxAttempts: 2,
      retryBaseMs: 10,
    });
    p.start();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'failed' && e.attempts === 1);
    clock.advance(10);
    const last = await waitForEvent(store, 'msg_1', (e) => e.attempts === 2);
    expect(last).toMatchObject({ status: 'failed', lastError: 'plain refusal', nextAttemptAt: null });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'event failed for the last time', attempts: 2 }),
    );
    clock.advance(60_000);
    const looked = claimDue.mock.calls.length;
    await waitFor(() => (claimDue.mock.calls.length >= looked + 2 ? true : undefined));
    await p.stop();
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'failed', attempts: 2 });
    await store.close();
  });
});

describe('Processor wake-ups and polling (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A started processor that has looked once, found nothing, and waits on its poll timer. */
  async function idleProcessor(options: Omit<ProcessorOptions, 'store'> = {}) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = memoryStore();
    const claimDue = vi.spyOn(store, 'claimDue');
    const settleMany = vi.spyOn(store, 'settleMany');
    const p = new Processor({ store, ...options });
    p.start();
    await waitFor(() => (vi.getTimerCount() === 1 ? true : undefined));
    expect(claimDue).toHaveBeenCalledTimes(1);
    return { store, claimDue, settleMany, p };
  }

  it('looks for due work again every second by default', async () => {
    const { store, claimDue, p } = await idleProcessor();
    await vi.advanceTimersByTimeAsync(999);
    expect(claimDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => (claimDue.mock.calls.length === 2 ? true : undefined));
    await p.stop();
    await store.close();
  });

  it('claims a burst of rows woken within 10 ms as one batch, settled in one transaction', async () => {
    const metrics = new ReceiverMetrics();
    const { logger, lines } = capturedLogger();
    const { store, claimDue, settleMany, p } = await idleProcessor({ metrics, logger });
    for (let i = 0; i < 3; i++) {
      await store.insertDelivery(completedDelivery(`msg_${i}`, {}, Date.now()));
      p.wake();
    }
    await vi.advanceTimersByTimeAsync(9);
    expect(claimDue).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(async () => ((await processedCount(store)) === 3 ? true : undefined));
    expect(settleMany).toHaveBeenCalledTimes(1);
    expect(settleMany.mock.calls[0]![1].map((item) => item.webhookId)).toEqual(['msg_0', 'msg_1', 'msg_2']);
    expect(await counted(metrics.processed, { status: 'processed' })).toBe(3);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
    await p.stop();
    await store.close();
  });

  it('lets the rows announced while it settles a short batch gather for 10 ms, then claims them as one batch', async () => {
    const held = heldHandler();
    const { store, claimDue, p } = await idleProcessor({ handlers: held.handlers });
    await store.insertDelivery(completedDelivery('msg_0', {}, Date.now()));
    p.wake();
    await vi.advanceTimersByTimeAsync(10);
    await waitFor(held.entered);
    for (const id of ['msg_1', 'msg_2']) {
      await store.insertDelivery(completedDelivery(id, {}, Date.now()));
      p.wake();
    }
    held.release();
    await waitForEvent(store, 'msg_0', (e) => e.status === 'processed');
    await vi.advanceTimersByTimeAsync(9);
    expect(claimDue).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => (claimDue.mock.calls.length === 3 ? true : undefined));
    const third: ClaimedEvent[] = await claimDue.mock.results[2]!.value;
    expect(third.map((c) => c.webhookId)).toEqual(['msg_1', 'msg_2']);
    await p.stop();
    await store.close();
  });

  it('ends the gathering wait at once when stopped, and drains what gathered', async () => {
    const held = heldHandler();
    const { store, p } = await idleProcessor({ handlers: held.handlers });
    await store.insertDelivery(completedDelivery('msg_0', {}, Date.now()));
    p.wake();
    await vi.advanceTimersByTimeAsync(10);
    await waitFor(held.entered);
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    p.wake();
    held.release();
    await waitForEvent(store, 'msg_0', (e) => e.status === 'processed');
    await p.stop();
    expect((await store.getEvent('msg_1'))?.status).toBe('processed');
    await store.close();
  });

  it('looks at once when woken with wakeCoalesceMs 0', async () => {
    const { store, p } = await idleProcessor({ wakeCoalesceMs: 0 });
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    p.wake();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    await store.close();
  });

  it('is not put back to sleep by the poll timer of an idle spell a wake-up ended', async () => {
    const { store, claimDue, p } = await idleProcessor({ wakeCoalesceMs: 0 });
    await vi.advanceTimersByTimeAsync(500);
    p.wake();
    await waitFor(() => (claimDue.mock.calls.length === 2 && vi.getTimerCount() === 1 ? true : undefined));
    // The first spell's timer (due at 1000 ms) must be gone; the second one is due at 1500 ms.
    await vi.advanceTimersByTimeAsync(600);
    expect(claimDue).toHaveBeenCalledTimes(2);
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    p.wake();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    await store.close();
  });

  it('stops at once when idle, without waiting out the wake-up delay or the poll', async () => {
    const { store, claimDue, p } = await idleProcessor();
    await p.stop();
    expect(claimDue).toHaveBeenCalledTimes(2);
    await store.close();
  });
});

describe('Processor start, stop and wake (real timers)', () => {
  it('processes a row that commits while it idles as soon as it is woken', async () => {
    const store = memoryStore();
    const claimDue = vi.spyOn(store, 'claimDue');
    const p = new Processor({ store, pollIntervalMs: 60_000 });
    p.start();
    await claimDue.mock.results[0]!.value;
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    p.wake();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    await store.close();
  });

  it('does not lose a wake that arrives while it is looking for work', async () => {
    const store = memoryStore();
    const claim = store.claimDue.bind(store);
    const p = new Processor({ store, pollIntervalMs: 60_000 });
    let first = true;
    vi.spyOn(store, 'claimDue').mockImplementation(async (...args) => {
      const claimed = await claim(...args);
      if (first) {
        // The row commits (and wakes the worker) after this look found nothing.
        first = false;
        await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
        p.wake();
      }
      return claimed;
    });
    p.start();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    await store.close();
  });

  it('claims the next round right after a full one, without waiting to be woken', async () => {
    const store = memoryStore();
    for (let i = 0; i < 5; i++) await store.insertDelivery(completedDelivery(`msg_${i}`, {}, Date.now()));
    const p = new Processor({ store, batchSize: 2, pollIntervalMs: 60_000 });
    p.start();
    await waitFor(async () => ((await processedCount(store)) === 5 ? true : undefined));
    await p.stop();
    await store.close();
  });

  it('runs one worker loop however often start() is called, and starts again after stop()', async () => {
    const store = memoryStore();
    const claimDue = vi.spyOn(store, 'claimDue');
    const p = new Processor({ store, pollIntervalMs: 60_000 });
    await p.stop();
    expect(claimDue).not.toHaveBeenCalled();
    p.start();
    p.start();
    expect(claimDue).toHaveBeenCalledTimes(1);
    await p.stop();
    p.start();
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    p.wake();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    await store.close();
  });

  it('finishes due work before stop() resolves', async () => {
    const store = memoryStore();
    const p = new Processor({ store, pollIntervalMs: 60_000 });
    p.start();
    await store.insertDelivery(completedDelivery('msg_late', {}, Date.now()));
    await p.stop();
    expect((await store.getEvent('msg_late'))!.status).toBe('processed');
    await store.close();
  });

  describe.each([
    { name: 'drainTimeoutMs', options: { drainTimeoutMs: 1000 }, drainMs: 1000 },
    { name: 'the default 10 s', options: {}, drainMs: 10_000 },
  ])('drains for $name after stop()', ({ options, drainMs }) => {
    /** Three claimed events; the worker holds the first while stop() is called and the clock moves. */
    async function stopWhileBusy(elapsedMs: number) {
      const store = memoryStore();
      const clock = testClock();
      for (let i = 0; i < 3; i++) await store.insertDelivery(completedDelivery(`msg_${i}`, {}, clock.now()));
      const held = heldHandler();
      // A lease shorter than the drain: unsettled claims are free again once the deadline passes.
      const p = new Processor({
        store,
        handlers: held.handlers,
        now: clock.now,
        leaseMs: 500,
        batchSize: 3,
        pollIntervalMs: 60_000,
        ...options,
      });
      p.start();
      await waitFor(held.entered);
      const stopped = p.stop();
      clock.advance(elapsedMs);
      held.release();
      await stopped;
      // Whatever the deadline left is free for another worker at once (no claim taken past it).
      const other = new Processor({ store, workerId: 'other', now: clock.now });
      other.start();
      await other.stop();
      const settled = await Promise.all(['msg_0', 'msg_1', 'msg_2'].map((id) => store.getEvent(id)));
      await store.close();
      return settled.map((e) => [e!.status, e!.attempts]);
    }

    it('keeps settling claimed events until the deadline', async () => {
      expect(await stopWhileBusy(drainMs - 1)).toEqual([
        ['processed', 1],
        ['processed', 1],
        ['processed', 1],
      ]);
    });

    it('leaves the rest of the batch for later once the deadline is reached', async () => {
      // The two it did not reach were claimed once: this is their second attempt.
      expect(await stopWhileBusy(drainMs)).toEqual([
        ['processed', 1],
        ['processed', 2],
        ['processed', 2],
      ]);
    });
  });
});

describe('Processor settling', () => {
  it('looks again after the poll interval when claiming fails', async () => {
    const store = memoryStore();
    await store.insertDelivery(completedDelivery('msg_1', {}, Date.now()));
    vi.spyOn(store, 'claimDue').mockRejectedValueOnce(new Error('database locked'));
    const { logger, lines } = capturedLogger();
    const p = new Processor({ store, logger, pollIntervalMs: 2 });
    p.start();
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed');
    await p.stop();
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'could not claim events from the store; retrying after the poll interval',
        err: expect.objectContaining({ message: 'database locked' }),
      }),
    ]);
    await store.close();
  });

  it('settles each event on its own when the batch settlement fails', async () => {
    const store = memoryStore();
    for (let i = 0; i < 3; i++) await store.insertDelivery(completedDelivery(`msg_${i}`, {}, Date.now()));
    const settleMany = vi.spyOn(store, 'settleMany').mockRejectedValueOnce(new Error('too big'));
    const settle = vi.spyOn(store, 'settle');
    const metrics = new ReceiverMetrics();
    const { logger, lines } = capturedLogger();
    const p = new Processor({ store, logger, metrics });
    p.start();
    await p.stop();
    expect(settleMany.mock.calls[0]![1]).toHaveLength(3);
    expect(settle).toHaveBeenCalledTimes(3);
    for (const id of ['msg_0', 'msg_1', 'msg_2'])
      expect(await store.getEvent(id)).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await counted(metrics.processed, { status: 'processed' })).toBe(3);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'batch settlement failed; settling events one by one',
        err: expect.objectContaining({ message: 'too big' }),
      }),
    );
    await store.close();
  });

  it('settles event by event on a store without settleMany', async () => {
    const store = memoryStore();
    for (let i = 0; i < 2; i++) await store.insertDelivery(completedDelivery(`msg_${i}`, {}, Date.now()));
    const settle = vi.spyOn(store, 'settle');
    const { logger, lines } = capturedLogger();
    const p = new Processor({ store: withoutSettleMany(store), logger });
    p.start();
    await p.stop();
    expect(settle).toHaveBeenCalledTimes(2);
    for (const id of ['msg_0', 'msg_1'])
      expect(await store.getEvent(id)).toMatchObject({ status: 'processed' });
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
    await store.close();
  });

  it('records a failed settlement as a failed attempt, retried later', async () => {
    const store = memoryStore();
    const clock = testClock();
    await store.insertDelivery(completedDelivery('msg_1', {}, clock.now()));
    vi.spyOn(store, 'settle').mockRejectedValueOnce(new Error('disk full'));
    const metrics = new ReceiverMetrics();
    const { logger, lines } = capturedLogger();
    const p = new Processor({ store, logger, metrics, now: clock.now, pollIntervalMs: 2 });
    p.start();
    const failed = await waitForEvent(store, 'msg_1', (e) => e.status === 'failed');
    expect(failed).toMatchObject({ attempts: 1, lastError: 'disk full', nextAttemptAt: clock.now() + 1000 });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'could not settle event',
        webhookId: 'msg_1',
        err: expect.objectContaining({ message: 'disk full' }),
      }),
    );
    clock.advance(1000);
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed' && e.attempts === 2);
    await p.stop();
    expect(await counted(metrics.processingFailures)).toBe(1);
    expect(await counted(metrics.processed, { status: 'failed' })).toBe(1);
    expect(await counted(metrics.processed, { status: 'processed' })).toBe(1);
    await store.close();
  });

  it('records a failed settlement without metrics too', async () => {
    const store = memoryStore();
    const clock = testClock();
    await store.insertDelivery(completedDelivery('msg_1', {}, clock.now()));
    vi.spyOn(store, 'settle').mockRejectedValueOnce(new Error('disk full'));
    const p = new Processor({ store, now: clock.now });
    p.start();
    await p.stop();
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'failed', lastError: 'disk full' });
    await store.close();
  });

  it.each([
    { name: "the handler's failure", handlers: throwingOnce(), answers: ['reject'] },
    { name: 'a processed event and then its failure', handlers: {}, answers: ['reject', 'reject'] },
    { name: 'a processed event, its lease lost meanwhile,', handlers: {}, answers: ['reject', 'lost'] },
  ])('leaves the event to its lease when $name cannot be settled', async ({ handlers, answers }) => {
    const store = memoryStore();
    const clock = testClock();
    await store.insertDelivery(completedDelivery('msg_1', {}, clock.now()));
    const settle = vi.spyOn(store, 'settle');
    for (const answer of answers) {
      if (answer === 'reject') settle.mockRejectedValueOnce(new Error('disk full'));
      else settle.mockResolvedValueOnce(false);
    }
    const metrics = new ReceiverMetrics();
    const p = new Processor({ store, metrics, handlers, now: clock.now, leaseMs: 50, pollIntervalMs: 2 });
    p.start();
    await waitFor(() =>
      settle.mock.settledResults.filter((r) => r.type !== 'incomplete').length === answers.length
        ? true
        : undefined,
    );
    // Unsettled, with the attempt its claim wrote.
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'received', attempts: 1 });
    expect(await counted(metrics.processed)).toBe(0);
    // Once the lease runs out the event is claimed again (its second attempt).
    clock.advance(50);
    await waitForEvent(store, 'msg_1', (e) => e.status === 'processed' && e.attempts === 2);
    await p.stop();
    expect(settle).toHaveBeenCalledTimes(answers.length + 1);
    await store.close();
  });

  it.each([1, 2])(
    'does not settle or count %i events whose lease another worker took over',
    async (events) => {
      const store = memoryStore();
      const clock = testClock();
      const ids = Array.from({ length: events }, (_, i) => `msg_${i}`);
      for (const id of ids) await store.insertDelivery(completedDelivery(id, {}, clock.now()));
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered = false;
      const slow: EventHandlers = {
        'course_lesson_interaction.completed': async () => {
          entered = true;
          await gate;
          return { lessonCompletions: [] };
        },
      };
      const metrics = new ReceiverMetrics();
      const { logger, lines } = capturedLogger();
      const a = new Processor({
        store,
        handlers: slow,
        logger,
        metrics,
        workerId: 'a',
        leaseMs: 100,
        now: clock.now,
      });
      a.start();
      await waitFor(() => (entered ? true : undefined));
      clock.advance(100);
      const b = new Processor({ store, workerId: 'b', now: clock.now });
      b.start();
      await b.stop();
      release();
      await a.stop();
      for (const id of ids) {
        expect(await store.getEvent(id)).toMatchObject({ status: 'processed', attempts: 2 });
        expect(lines).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            msg: 'lost the lease before settling; another worker owns the event now',
            webhookId: id,
          }),
        );
      }
      expect(await counted(metrics.processed)).toBe(0);
      await store.close();
    },
  );
});
