// Lesson progress's records and its reads, as the store's reader for it answers them.
import type { PageBudget } from '../../store/core/Store.js';

/** One lesson a user completed; applying the same completion twice changes nothing. */
export interface LessonCompletion {
  userId: string;
  courseId: string;
  lessonId: string;
  /** Milliseconds since the epoch (the interaction's created_at). */
  completedAt: number;
}

export interface CourseProgress {
  userId: string;
  courseId: string;
  completedLessons: number;
  lessonIds: string[];
  lastCompletedAt: number;
}

export interface ProgressQuery {
  userId?: string;
  courseId?: string;
}

export interface ListProgressQuery extends ProgressQuery {
  /** Most (user, course) pairs on the page. */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  budget?: PageBudget<CourseProgress>;
}

export interface ProgressPage {
  progress: CourseProgress[];
  nextCursor: string | null;
}

/** One lesson_completions row. */
export interface CompletionRow {
  user_id: string;
  course_id: string;
  lesson_id: string;
  completed_at: number | string;
}

export interface ProgressReader {
  /** One page of matching (user, course) pairs, ordered by user then course. */
  listProgress(query: ListProgressQuery): Promise<ProgressPage>;
}
