import type { Static } from '@sinclair/typebox';
import { CourseLessonInteraction } from '../CourseLessonInteraction.js';
import { eventEnvelope } from '../Envelope.js';

/** The full `course_lesson_interaction.completed` webhook payload. */
export const CourseLessonInteractionCompleted = eventEnvelope(
  'course_lesson_interaction.completed',
  CourseLessonInteraction,
  {
    title: 'CourseLessonInteractionCompleted',
    description:
      'Sent when a course lesson interaction is completed. Required permissions: `courses:read`, `course_analytics:read`, `webhook_receive:courses`',
  },
);
export type CourseLessonInteractionCompleted = Static<typeof CourseLessonInteractionCompleted>;
