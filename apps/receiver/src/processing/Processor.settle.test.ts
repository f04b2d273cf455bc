// How the processor settles what it claimed when the store fails or another worker took over.
import { describe, expect, it, vi } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import type { Store } from '../store/Store.js';
import type { EventHandlers } from './EventHandlers.js';
import { Processor } from './Processor.js';
import {
  capturedLogger,
  completedDelivery,
  counted,
  memoryStore,
  testClock,
  waitFor,
  waitForEvent,
} from './test-support/processorFixtures.js';

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
    expect(await store.getEvent('msg_1')).toMatchObject({ status: 'received', attempts: 0 });
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
