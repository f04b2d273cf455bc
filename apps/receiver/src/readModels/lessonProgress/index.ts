// Lesson progress: which lessons each user completed, per course, from
// course_lesson_interaction.completed.
import type { ReadModel } from '../ReadModel.js';
import { lessonProgressHandler } from './lessonProgressHandler.js';
import {
  applyLessonProgressPostgres,
  lessonProgressMigrations,
  lessonProgressPostgresReader,
} from './lessonProgressPostgres.js';
import {
  lessonProgressSqliteReader,
  lessonProgressSqliteSchema,
  prepareLessonProgressSqlite,
} from './lessonProgressSqlite.js';
import type { LessonCompletion, ProgressReader } from './ProgressReader.js';
import { progressPath, progressRoutes } from './progressRoutes.js';

export type {
  CourseProgress,
  LessonCompletion,
  ListProgressQuery,
  ProgressPage,
  ProgressQuery,
  ProgressReader,
} from './ProgressReader.js';

/**
 * The lesson-progress read model. Its effects are `lessonCompletions`.
 *
 * @example
 * const page = await store.reader(lessonProgress).listProgress({ userId: 'user_1', limit: 50 });
 */
export const lessonProgress: ReadModel<LessonCompletion, ProgressReader> = {
  name: 'lesson_progress',
  effectKey: 'lessonCompletions',
  handlers: { 'course_lesson_interaction.completed': lessonProgressHandler },
  sqlite: {
    schema: lessonProgressSqliteSchema,
    prepareApply: prepareLessonProgressSqlite,
    reader: lessonProgressSqliteReader,
  },
  postgres: {
    migrations: lessonProgressMigrations,
    tables: ['lesson_completions'],
    apply: applyLessonProgressPostgres,
    reader: lessonProgressPostgresReader,
  },
  routes: progressRoutes,
  routePaths: [progressPath],
};
