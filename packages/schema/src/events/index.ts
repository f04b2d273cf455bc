// The registry of known events. Adding an event: write src/events/<EventName>.ts with
// `eventEnvelope('<type>', <DataSchema>)` and append it to `eventSchemas` below; the union type,
// the list of types, the validators and the generated files all follow from this list.
import type { Static } from '@sinclair/typebox';
import { CourseLessonInteractionCompleted } from './CourseLessonInteractionCompleted.js';

export { CourseLessonInteractionCompleted };

/** Every event schema this contract knows, one per `type`. */
export const eventSchemas = [CourseLessonInteractionCompleted] as const;

/** Union of the known events, discriminated by `type`. */
export type KnownEvent = Static<(typeof eventSchemas)[number]>;
export type KnownEventType = KnownEvent['type'];
