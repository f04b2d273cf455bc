// Lesson progress on SQLite: its table, the upsert a settlement runs, and its reads.
import type Database from 'better-sqlite3';
import type { EffectBatch } from '../ReadModel.js';
import type { CompletionRow, LessonCompletion, ProgressReader } from './ProgressReader.js';
import { decodeProgressCursor, groupProgress, toProgressPage } from './progressCursor.js';

export const lessonProgressSqliteSchema = `
CREATE TABLE IF NOT EXISTS lesson_completions (
  user_id TEXT NOT NULL,
  course_id TEXT NOT NULL,
  lesson_id TEXT NOT NULL,
  completed_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, course_id, lesson_id)
);
CREATE INDEX IF NOT EXISTS lesson_completions_course ON lesson_completions (course_id);
`;

/** The earliest completion of a lesson is kept, so the same completion twice changes nothing. */
export function prepareLessonProgressSqlite(
  db: Database.Database,
): (batch: EffectBatch<LessonCompletion>) => void {
  const completion = db.prepare<[string, string, string, number], unknown>(
    `INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, course_id, lesson_id)
     DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
  );
  return ({ effects }) => {
    for (const c of effects) completion.run(c.userId, c.courseId, c.lessonId, c.completedAt);
  };
}

export function lessonProgressSqliteReader(db: Database.Database): ProgressReader {
  // The (user, course) pairs of one page first, from the primary key (or the course index), then
  // their completions.
  const page = db.prepare<
    [
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
      number,
    ],
    CompletionRow
  >(
    `WITH pairs AS (
       SELECT DISTINCT user_id, course_id FROM lesson_completions
       WHERE (? IS NULL OR user_id = ?) AND (? IS NULL OR course_id = ?)
         AND (? IS NULL OR (user_id, course_id) > (?, ?))
       ORDER BY user_id, course_id LIMIT ?)
     SELECT l.user_id, l.course_id, l.lesson_id, l.completed_at
     FROM pairs p JOIN lesson_completions l ON l.user_id = p.user_id AND l.course_id = p.course_id
     ORDER BY l.user_id, l.course_id, l.completed_at, l.lesson_id`,
  );
  return {
    async listProgress(query) {
      const { userId = null, courseId = null } = query;
      const after = query.cursor === undefined ? null : decodeProgressCursor(query.cursor);
      const rows = page.all(
        userId,
        userId,
        courseId,
        courseId,
        after?.userId ?? null,
        after?.userId ?? null,
        after?.courseId ?? null,
        query.limit + 1,
      );
      return toProgressPage(groupProgress(rows), query.limit, query.budget);
    },
  };
}
