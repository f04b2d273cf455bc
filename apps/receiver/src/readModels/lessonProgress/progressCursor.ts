// The opaque `next_cursor` of GET /progress: the (user, course) pair that ended a page. Rows are
// ordered by that pair, so the next page starts right after it. Both stores use it.
import { StoreError } from '../../errors.js';
import { pageLength } from '../../store/core/eventCursor.js';
import type { PageBudget } from '../../store/core/Store.js';
import type { CompletionRow, CourseProgress } from './ProgressReader.js';

export interface ProgressCursor {
  userId: string;
  courseId: string;
}

export function encodeProgressCursor(after: ProgressCursor): string {
  return Buffer.from(`p:${JSON.stringify([after.userId, after.courseId])}`).toString('base64url');
}

/**
 * Decodes a cursor this API issued.
 *
 * @throws {StoreError} `invalid_cursor` for anything else.
 */
export function decodeProgressCursor(cursor: string): ProgressCursor {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith('p:')) {
    try {
      const pair: unknown = JSON.parse(text.slice(2));
      // No stored id holds a NUL (PostgreSQL refuses one), so a pair with one was never issued.
      const issuable = (v: unknown) => typeof v === 'string' && !v.includes(String.fromCharCode(0));
      if (Array.isArray(pair) && pair.length === 2 && pair.every(issuable)) {
        return { userId: pair[0] as string, courseId: pair[1] as string };
      }
    } catch {
      // reported below
    }
  }
  throw new StoreError(
    'invalid_cursor',
    'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
  );
}

/** Rows of completions ordered by user, course, completion time: one CourseProgress per pair. */
export function groupProgress(rows: readonly CompletionRow[]): CourseProgress[] {
  const out: CourseProgress[] = [];
  let current: CourseProgress | undefined;
  for (const r of rows) {
    const at = Number(r.completed_at);
    if (current === undefined || current.userId !== r.user_id || current.courseId !== r.course_id) {
      current = {
        userId: r.user_id,
        courseId: r.course_id,
        completedLessons: 0,
        lessonIds: [],
        lastCompletedAt: at,
      };
      out.push(current);
    }
    current.completedLessons++;
    current.lessonIds.push(r.lesson_id);
    current.lastCompletedAt = Math.max(current.lastCompletedAt, at);
  }
  return out;
}

/**
 * The first `limit` groups of rows fetched for `limit + 1` pairs (fewer when the budget ends the
 * page), and a cursor when more exist.
 */
export function toProgressPage(
  groups: CourseProgress[],
  limit: number,
  budget?: PageBudget<CourseProgress>,
): { progress: CourseProgress[]; nextCursor: string | null } {
  const page = groups.slice(0, pageLength(groups, limit, budget));
  const last = page[page.length - 1];
  return {
    progress: page,
    nextCursor: groups.length > page.length && last !== undefined ? encodeProgressCursor(last) : null,
  };
}
