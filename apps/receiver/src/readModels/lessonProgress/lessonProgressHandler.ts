import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import type { LessonCompletion } from './ProgressReader.js';

/**
 * Records that a user completed a lesson, as one (user, course, lesson) row keeping the earliest
 * completion time: applying an event twice, or events in any order, gives the same progress.
 * An interaction with `completed: false` records nothing and removes nothing (deliveries arrive out
 * of order, so a late `false` must not undo a completion).
 *
 * @example
 * lessonProgressHandler(event); // [{ userId, courseId, lessonId, completedAt }]
 */
export function lessonProgressHandler(event: CourseLessonInteractionCompleted): LessonCompletion[] {
  const { data } = event;
  if (!data.completed) return [];
  const completedAt = Date.parse(data.created_at);
  if (Number.isNaN(completedAt)) {
    // The schema checks the date-time format, so this only happens if the contract loosens.
    throw new Error(`data.created_at "${data.created_at}" is not a parseable date-time`);
  }
  return [{ userId: data.user.id, courseId: data.course.id, lessonId: data.lesson.id, completedAt }];
}
