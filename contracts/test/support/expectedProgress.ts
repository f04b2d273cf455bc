// Lesson progress computed independently from the payloads that were sent: one completion per
// (user, course, lesson), the earliest `created_at` wins, `completed: false` records nothing.
import type { ProgressRow } from '@webhook-contracts/schema';

interface Completion {
  data: {
    completed: boolean;
    created_at: string;
    lesson: { id: string };
    user: { id: string };
    course: { id: string };
  };
}

/** Rows keyed and sorted by `user_id course_id`, lesson ids sorted, so they compare with toEqual. */
export function expectedProgress(payloads: readonly unknown[]): ProgressRow[] {
  const lessons = new Map<string, { user: string; course: string; at: Map<string, number> }>();
  for (const payload of payloads) {
    const { data } = payload as Completion;
    if (data.completed !== true) continue;
    const key = `${data.user.id} ${data.course.id}`;
    const entry = lessons.get(key) ?? { user: data.user.id, course: data.course.id, at: new Map() };
    const at = Date.parse(data.created_at);
    entry.at.set(data.lesson.id, Math.min(at, entry.at.get(data.lesson.id) ?? at));
    lessons.set(key, entry);
  }
  return normaliseProgress(
    [...lessons.values()].map((e) => ({
      user_id: e.user,
      course_id: e.course,
      completed_lessons: e.at.size,
      lesson_ids: [...e.at.keys()],
      last_completed_at: new Date(Math.max(...e.at.values())).toISOString(),
    })),
  );
}

/** Sorts rows and their lesson ids so two progress lists compare regardless of order. */
export function normaliseProgress(rows: readonly ProgressRow[]): ProgressRow[] {
  return rows
    .map((r) => ({ ...r, lesson_ids: [...r.lesson_ids].sort() }))
    .sort((a, b) => `${a.user_id} ${a.course_id}`.localeCompare(`${b.user_id} ${b.course_id}`));
}
