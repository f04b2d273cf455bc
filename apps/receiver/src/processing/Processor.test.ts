import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { describe, expect, it, vi } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { delivery } from '../store/test-support/storeContract.js';
import { completedEvent } from '../test-support/signedRequest.js';
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
    expect(await store.getProgress({})).toEqual([
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
