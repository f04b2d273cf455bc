// Lesson progress on PostgreSQL: its migrations, the upsert a settlement runs, and its reads.
import type pg from 'pg';
import type { Migration } from '../../store/postgres/PostgresMigrations.js';
import type { EffectBatch } from '../ReadModel.js';
import type { CompletionRow, LessonCompletion, ProgressReader } from './ProgressReader.js';
import { decodeProgressCursor, groupProgress, toProgressPage } from './progressCursor.js';

// IF NOT EXISTS: schemas migrated before read models had migrations of their own already hold it.
// Ids use COLLATE "C" (byte order), what SQLite compares with, so both backends page alike.
export const lessonProgressMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'lesson_completions',
    sql: `
CREATE TABLE IF NOT EXISTS lesson_completions (
  user_id TEXT COLLATE "C" NOT NULL,
  course_id TEXT COLLATE "C" NOT NULL,
  lesson_id TEXT COLLATE "C" NOT NULL,
  completed_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, course_id, lesson_id)
);
CREATE INDEX IF NOT EXISTS lesson_completions_course ON lesson_completions (course_id);
`,
  },
];

// One statement for the batch; rows in key order, so two instances' batches cannot deadlock.
const upsert = `
  INSERT INTO lesson_completions (user_id, course_id, lesson_id, completed_at)
  SELECT c.user_id, c.course_id, c.lesson_id, min(c.completed_at)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS c(user_id, course_id, lesson_id, completed_at)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (user_id, course_id, lesson_id)
    DO UPDATE SET completed_at = LEAST(lesson_completions.completed_at, excluded.completed_at)`;

export async function applyLessonProgressPostgres(
  client: pg.ClientBase,
  batches: readonly EffectBatch<LessonCompletion>[],
): Promise<void> {
  const completions = batches.flatMap((b) => b.effects);
  if (completions.length === 0) return;
  await client.query(upsert, [
    completions.map((c) => c.userId),
    completions.map((c) => c.courseId),
    completions.map((c) => c.lessonId),
    completions.map((c) => c.completedAt),
  ]);
}

const sql = {
  page: `
    WITH pairs AS (
      SELECT DISTINCT user_id, course_id FROM lesson_completions
      WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR course_id = $2)
        AND ($3::text IS NULL OR (user_id, course_id) > ($3::text COLLATE "C", $4::text COLLATE "C"))
      ORDER BY user_id, course_id LIMIT $5)
    SELECT l.user_id, l.course_id, l.lesson_id, l.completed_at
    FROM pairs p JOIN lesson_completions l ON l.user_id = p.user_id AND l.course_id = p.course_id
    ORDER BY l.user_id, l.course_id, l.completed_at, l.lesson_id`,
};

export function lessonProgressPostgresReader(pool: pg.Pool): ProgressReader {
  return {
    async listProgress(query) {
      const { userId = null, courseId = null } = query;
      const after = query.cursor === undefined ? null : decodeProgressCursor(query.cursor);
      const params = [userId, courseId, after?.userId ?? null, after?.courseId ?? null, query.limit + 1];
      const rows = (await pool.query<CompletionRow>(sql.page, params)).rows;
      return toProgressPage(groupProgress(rows), query.limit, query.budget);
    },
  };
}
