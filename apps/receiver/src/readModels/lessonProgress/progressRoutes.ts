// GET /progress: one page of (user, course) pairs with the lessons completed, filtered by user or
// course.
import type { ProgressPage, ProgressRow } from '@webhook-contracts/schema';
import type { Router } from 'express';
import { parseLimit, readQuery } from '../../http/readApiParameters.js';
import type { ReadRouteContext } from '../ReadModel.js';
import type { CourseProgress, ProgressReader } from './ProgressReader.js';

export const progressPath = '/progress';

const iso = (ms: number) => new Date(ms).toISOString();

export function progressJson(p: CourseProgress): ProgressRow {
  return {
    user_id: p.userId,
    course_id: p.courseId,
    completed_lessons: p.completedLessons,
    lesson_ids: p.lessonIds,
    last_completed_at: iso(p.lastCompletedAt),
  };
}

export function progressRoutes(router: Router, { reader, route, budget }: ReadRouteContext<ProgressReader>) {
  router.get(
    progressPath,
    route(async (req, res) => {
      const query = readQuery(req.originalUrl, {
        user_id: 'one',
        course_id: 'one',
        cursor: 'one',
        limit: 'one',
      });
      const { user_id: userId, course_id: courseId, cursor } = query;
      const limit = parseLimit(query.limit);
      const page = await reader.listProgress({
        limit,
        ...(userId === undefined || userId === '' ? {} : { userId }),
        ...(courseId === undefined || courseId === '' ? {} : { courseId }),
        ...(cursor === undefined ? {} : { cursor }),
        budget: budget(progressJson),
      });
      res.json({
        progress: page.progress.map(progressJson),
        next_cursor: page.nextCursor,
      } satisfies ProgressPage);
    }),
  );
}
