// The `data` of course_lesson_interaction.completed, field for field as the sender publishes it
// (see the excerpt vendored in contracts/schemas/upstream/ and contracts/test/upstream.test.ts,
// which holds the two together).
// No object is closed and IDs have no pattern: the sender adds fields and the prefixes
// (`crsli_`, `lesn_` ...) are conventions, not guarantees.
import { type Static, Type } from '@sinclair/typebox';
import { NullableString } from './NullableString.js';

export const CourseLessonInteraction = Type.Object(
  {
    id: Type.String({ examples: ['crsli_xxxxxxxxxxxx'] }),
    completed: Type.Boolean(),
    created_at: Type.String({ format: 'date-time', examples: ['2023-12-01T05:00:00.401Z'] }),
    lesson: Type.Object({
      id: Type.String({ examples: ['lesn_xxxxxxxxxxxxx'] }),
      // The docs say "Maximum 120 characters" but the published schema sets no maxLength; neither do we.
      title: Type.String({ description: 'Maximum 120 characters' }),
      chapter: Type.Object({
        id: Type.String({ examples: ['chap_xxxxxxxxxxxxx'] }),
      }),
    }),
    user: Type.Object({
      id: Type.String({ examples: ['user_xxxxxxxxxxxxx'] }),
      name: NullableString(),
      username: Type.String(),
    }),
    course: Type.Object({
      id: Type.String({ examples: ['cors_xxxxxxxxxxxxx'] }),
      title: NullableString({ description: 'Null if no title has been set.' }),
      experience: Type.Object({
        id: Type.String({ examples: ['exp_xxxxxxxxxxxxxx'] }),
      }),
    }),
  },
  {
    title: 'CourseLessonInteraction',
    description:
      "A record of a user's progress on a specific lesson, tracking whether they have completed it.",
  },
);
export type CourseLessonInteraction = Static<typeof CourseLessonInteraction>;
