// The docs page's example event, read from the one file that holds it byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { repoRoot } from './repoRoot.js';

export const docsExampleFile = join(
  repoRoot,
  'contracts/examples/course_lesson_interaction.completed/docs-page.json',
);

const text = readFileSync(docsExampleFile, 'utf8');

/**
 * A fresh copy of the docs example on every call, so a test may change it.
 *
 * @example
 * const event = docsExample();
 * event.data.user.id = 'user_2';
 */
export function docsExample(): CourseLessonInteractionCompleted {
  return JSON.parse(text) as CourseLessonInteractionCompleted;
}

export interface LessonFields {
  id?: string;
  userId?: string;
  courseId?: string;
  lessonId?: string;
  createdAt?: string;
  completed?: boolean;
}

/**
 * The docs example with the fields a progress test varies replaced.
 *
 * @example
 * const event = lessonCompleted({ userId: 'user_1', lessonId: 'lesn_2' });
 */
export function lessonCompleted(fields: LessonFields = {}): CourseLessonInteractionCompleted {
  const event = docsExample();
  if (fields.id !== undefined) event.id = fields.id;
  if (fields.userId !== undefined) event.data.user.id = fields.userId;
  if (fields.courseId !== undefined) event.data.course.id = fields.courseId;
  if (fields.lessonId !== undefined) event.data.lesson.id = fields.lessonId;
  if (fields.createdAt !== undefined) event.data.created_at = fields.createdAt;
  if (fields.completed !== undefined) event.data.completed = fields.completed;
  return event;
}
