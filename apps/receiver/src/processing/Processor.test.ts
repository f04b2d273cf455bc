import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/SqliteStore.js';
import { delivery } from '../store/test-support/storeContract.js';
import { completedEvent } from '../test-support/signedRequest.js';
import { eventually } from '../test-support/startReceiver.js';
import { Processor } from './Processor.js';

function completedDelivery(id: string, lessonId: string) {
  return delivery(id, {
    body: Buffer.from(JSON.stringify(completedEvent({ lessonId }))),
    receivedAt: Date.now(),
  });
}

describe('Processor', () => {
  it('lets two instances on one database process each event exactly once', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const seen: string[] = [];
    const handlers = {
      'course_lesson_interaction.completed': async (e: CourseLessonInteractionCompleted) => {
        seen.push(e.data.lesson.id);
        await Promise.resolve();
        return {};
      },
    };
    const ids = Array.from({ length: 40 }, (_, i) => `msg_${i}`);
    await Promise.all(ids.map((id, i) => store.insertDelivery(completedDelivery(id, `lesn_${i}`))));
    const a = new Processor({ store, handlers, workerId: 'a', batchSize: 3, pollIntervalMs: 5 });
    const b = new Processor({ store, handlers, workerId: 'b', batchSize: 3, pollIntervalMs: 5 });
    a.start();
    b.start();
    await eventually(async () =>
      (await store.listEvents({ limit: 100, status: 'processed' })).events.length === 40 ? true : undefined,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(seen.slice().sort()).toEqual(ids.map((_, i) => `lesn_${i}`).sort());
    await store.close();
  });

  it('settles invalid stored bodies as quarantined and unknown types as unhandled on replay', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
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
    const p = new Processor({ store, pollIntervalMs: 5 });
    p.start();
    await eventually(async () => {
      const all = await store.listEvents({ limit: 10 });
      return all.events.every((e) => e.status !== 'received') ? all.events : undefined;
    });
    await p.stop();
    expect((await store.getEvent('msg_bad'))!.status).toBe('quarantined');
    expect((await store.getEvent('msg_other'))!.status).toBe('unhandled');
    expect((await store.getEvent('msg_text'))!.errors![0]!.message).toMatch(/^invalid JSON/);
    await store.close();
  });

  it('processes a fresh row from the event the HTTP layer validated, without parsing its bytes', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
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
    const store = new SqliteStore({ filename: ':memory:' });
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

  it('finishes due work before stop() resolves', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const p = new Processor({ store, pollIntervalMs: 60_000 });
    p.start();
    await store.insertDelivery(completedDelivery('msg_late', 'lesn_late'));
    await p.stop();
    expect((await store.getEvent('msg_late'))!.status).toBe('processed');
    await store.close();
  });
});
