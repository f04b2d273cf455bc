import { type Static, Type } from '@sinclair/typebox';

/** One user's progress in one course, as GET /progress lists it. */
export const ProgressRow = Type.Object(
  {
    user_id: Type.String({ examples: ['user_xxxxxxxxxxxxx'] }),
    course_id: Type.String({ examples: ['cors_xxxxxxxxxxxxx'] }),
    completed_lessons: Type.Integer({ minimum: 1, description: 'Distinct lessons completed' }),
    lesson_ids: Type.Array(Type.String(), { description: 'The completed lessons' }),
    last_completed_at: Type.String({ format: 'date-time', description: 'The latest completion' }),
  },
  { title: 'ProgressRow', description: "A user's completed lessons in one course" },
);
export type ProgressRow = Static<typeof ProgressRow>;
