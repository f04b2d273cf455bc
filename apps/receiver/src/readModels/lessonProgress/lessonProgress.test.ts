// The lesson-progress read model through the store, on both databases: the earliest completion of a
// lesson is kept whatever the order, and the reads page by (user, course) pair and filter.
import { describe, expect, it } from 'vitest';
import { delivery } from '../../store/test-support/storeContract.js';
import { storeBackends, useStoreBackend } from '../test-support/storeBackends.js';
import { type ListProgressQuery, lessonProgress } from './index.js';
import type { LessonCompletion } from './ProgressReader.js';

const t0 = Date.UTC(2026, 0, 1);

const done = (userId: string, courseId: string, lessonId: string, completedAt: number): LessonCompletion => ({
  userId,
  courseId,
  lessonId,
  completedAt,
});

describe.each(storeBackends)('lesson progress on $name', (backend) => {
  const { store } = useStoreBackend(backend);

  let delivered = 0;
  /** Stores and settles one event with the completions given. */
  async function apply(lessonCompletions: LessonCompletion[]) {
    const webhookId = `msg_${++delivered}`;
    await store().insertDelivery(delivery(webhookId));
    await store().claimDue('w', t0 + 1_000_000, 1000, 100);
    const settled = await store().settle(
      webhookId,
      'w',
      { status: 'processed', effects: { lessonCompletions } },
      t0,
    );
    expect(settled).toBe(true);
  }

  const list = (query: ListProgressQuery) => store().reader(lessonProgress).listProgress(query);

  it('keeps the earliest completion of a lesson, whatever the order, and counts each lesson once', async () => {
    await apply([done('user_1', 'cors_1', 'lesn_1', t0 + 500), done('user_1', 'cors_1', 'lesn_2', t0 + 700)]);
    await apply([done('user_1', 'cors_1', 'lesn_1', t0 + 100)]);
    await apply([done('user_1', 'cors_1', 'lesn_2', t0 + 900)]);
    expect(await list({ limit: 10 })).toEqual({
      progress: [
        {
          userId: 'user_1',
          courseId: 'cors_1',
          completedLessons: 2,
          lessonIds: ['lesn_1', 'lesn_2'],
          lastCompletedAt: t0 + 700,
        },
      ],
      nextCursor: null,
    });
  });

  it('writes nothing for an event without completions', async () => {
    await apply([]);
    expect(await list({ limit: 10 })).toEqual({ progress: [], nextCursor: null });
  });

  it('pages pair by pair, the next page starting after the last pair, within one user too', async () => {
    await apply([
      done('user_2', 'cors_1', 'lesn_1', t0 + 1),
      done('user_1', 'cors_2', 'lesn_1', t0 + 2),
      done('user_1', 'cors_1', 'lesn_1', t0 + 3),
      done('user_1', 'cors_1', 'lesn_2', t0 + 4),
    ]);
    const pairsOf = (page: { progress: { userId: string; courseId: string }[] }) =>
      page.progress.map((p) => `${p.userId}/${p.courseId}`);
    const first = await list({ limit: 1 });
    expect(pairsOf(first)).toEqual(['user_1/cors_1']);
    expect(first.progress[0]?.lessonIds).toEqual(['lesn_1', 'lesn_2']);
    const second = await list({ limit: 1, cursor: first.nextCursor! });
    expect(pairsOf(second)).toEqual(['user_1/cors_2']);
    const third = await list({ limit: 1, cursor: second.nextCursor! });
    expect(third).toMatchObject({ nextCursor: null });
    expect(pairsOf(third)).toEqual(['user_2/cors_1']);
    // A page that holds exactly the rest has no next page.
    const all = await list({ limit: 3 });
    expect(pairsOf(all)).toEqual(['user_1/cors_1', 'user_1/cors_2', 'user_2/cors_1']);
    expect(all.nextCursor).toBeNull();
    const two = await list({ limit: 2 });
    expect(pairsOf(two)).toEqual(['user_1/cors_1', 'user_1/cors_2']);
    expect(two.nextCursor).not.toBeNull();
    expect(pairsOf(await list({ limit: 2, cursor: two.nextCursor! }))).toEqual(['user_2/cors_1']);
  });

  it('filters by user and by course, paging within the filter', async () => {
    await apply([
      done('user_1', 'cors_1', 'lesn_1', t0 + 1),
      done('user_1', 'cors_2', 'lesn_1', t0 + 2),
      done('user_2', 'cors_1', 'lesn_1', t0 + 3),
    ]);
    const courses = await list({ limit: 10, userId: 'user_1' });
    expect(courses.progress.map((p) => p.courseId)).toEqual(['cors_1', 'cors_2']);
    const first = await list({ limit: 1, courseId: 'cors_1' });
    expect(first.progress.map((p) => p.userId)).toEqual(['user_1']);
    const rest = await list({ limit: 1, courseId: 'cors_1', cursor: first.nextCursor! });
    expect(rest.progress.map((p) => p.userId)).toEqual(['user_2']);
    expect(rest.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue with invalid_cursor', async () => {
    await expect(list({ limit: 1, cursor: 'bm9wZQ' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });
});
