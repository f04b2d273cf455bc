// The lesson-progress read model computed straight from the events that were sent, to compare with
// what the receiver built: one completion per (user, course, lesson), the earliest `created_at`
// wins, `completed: false` records nothing, lessons in the order they were completed.
import type { CourseLessonInteractionCompleted, ProgressRow } from '@webhook-contracts/schema';

const lessonCompletedType: CourseLessonInteractionCompleted['type'] = 'course_lesson_interaction.completed';

/**
 * Progress rows for `events` (other event types are ignored), sorted as `normaliseProgress` sorts.
 *
 * @example
 * expect(normaliseProgress(await readApi.progress())).toEqual(expectedProgress(sent));
 */
export function expectedProgress(events: Iterable<unknown>): ProgressRow[] {
  const completions = new Map<string, { user: string; course: string; lesson: string; at: number }>();
  for (const event of events) {
    const { type, data } = event as CourseLessonInteractionCompleted;
    if (type !== lessonCompletedType || !data.completed) continue;
    const key = JSON.stringify([data.user.id, data.course.id, data.lesson.id]);
    const at = Date.parse(data.created_at);
    const seen = completions.get(key);
    if (seen === undefined || at < seen.at) {
      completions.set(key, { user: data.user.id, course: data.course.id, lesson: data.lesson.id, at });
    }
  }
  const groups = new Map<string, { user: string; course: string; lessons: { id: string; at: number }[] }>();
  for (const c of completions.values()) {
    const key = JSON.stringify([c.user, c.course]);
    const group = groups.get(key) ?? { user: c.user, course: c.course, lessons: [] };
    group.lessons.push({ id: c.lesson, at: c.at });
    groups.set(key, group);
  }
  return normaliseProgress(
    [...groups.values()].map((g) => {
      g.lessons.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return {
        user_id: g.user,
        course_id: g.course,
        completed_lessons: g.lessons.length,
        lesson_ids: g.lessons.map((l) => l.id),
        last_completed_at: new Date(Math.max(...g.lessons.map((l) => l.at))).toISOString(),
      };
    }),
  );
}

/** Rows sorted by (user, course), so two progress lists compare with toEqual whatever their page order. */
export function normaliseProgress(progress: readonly ProgressRow[]): ProgressRow[] {
  const key = (p: ProgressRow) => `${p.user_id}\u0000${p.course_id}`;
  return [...progress].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
