import type { ContractValidator, InvalidPayload } from './contractValidator.js';
import { eventSchemaValidator } from './eventSchemaValidator.js';
import { CourseLessonInteractionCompleted } from './events/CourseLessonInteractionCompleted.js';

export type LessonValidationResult =
  | { kind: 'event'; event: CourseLessonInteractionCompleted }
  | InvalidPayload;

let validate: ContractValidator | undefined;

/**
 * Checks a parsed payload against the `course_lesson_interaction.completed` schema alone: what
 * `validateEvent` answers for a payload of that type, and `invalid` for any other (its `type` is one
 * of the errors). It shares `validateEvent`'s compiled validator of that schema.
 *
 * @example
 * const result = validateLessonEvent(JSON.parse(body));
 * if (result.kind === 'event') console.log(result.event.data.lesson.title);
 */
export function validateLessonEvent(value: unknown): LessonValidationResult {
  validate ??= eventSchemaValidator(CourseLessonInteractionCompleted);
  const result = validate(value);
  return result.kind === 'valid'
    ? { kind: 'event', event: value as CourseLessonInteractionCompleted }
    : result;
}
