// The registry of known events. The hand-checked course_lesson_interaction.completed lives here;
// the rest of the catalog is generated from @whop/sdk into src/catalog/events.ts (`npm run generate`).
// A hand-written event: write src/events/<EventName>.ts with `eventEnvelope('<type>', <DataSchema>)`
// and add it to `eventSchemas` below; the union type, the list of types, the validators and the
// generated contract files all follow from this list.
import type { Static } from '@sinclair/typebox';
import { generatedEventSchemas } from '../catalog/events.js';
import { CourseLessonInteractionCompleted } from './CourseLessonInteractionCompleted.js';

export { CourseLessonInteractionCompleted };

/** Every event schema this contract knows, one per `type`, sorted by type. */
export const eventSchemas: readonly (
  | typeof CourseLessonInteractionCompleted
  | (typeof generatedEventSchemas)[number]
)[] = Object.freeze(
  [CourseLessonInteractionCompleted, ...generatedEventSchemas].sort((a, b) =>
    a.properties.type.const < b.properties.type.const ? -1 : 1,
  ),
);

/** Union of the known events, discriminated by `type`. */
export type KnownEvent = Static<
  typeof CourseLessonInteractionCompleted | (typeof generatedEventSchemas)[number]
>;
export type KnownEventType = KnownEvent['type'];
