// When the worker looks for work: polling, wake-ups (coalesced), start/stop and the drain deadline.
// Timers are faked where the test is about when the worker looks; the store stays real.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
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
