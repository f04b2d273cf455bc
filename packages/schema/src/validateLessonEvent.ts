import {
  type ContractValidator,
  compileContractValidator,
  type InvalidPayload,
} from './contractValidator.js';
import { CourseLessonInteractionCompleted } from './events/CourseLessonInteractionCompleted.js';
import { withDefinitions } from './withDefinitions.js';

export type LessonValidationResult =
  | { kind: 'event'; event: CourseLessonInteractionCompleted }
  | InvalidPayload;

let validate: ContractValidator | undefined;

/**
 * Checks a parsed payload against the `course_lesson_interaction.completed` schema alone: what
 * `validateEvent` answers for a payload of that type, and `invalid` for any other (its `type` is one
 * of the errors). The validator is compiled on the first call.
 *
 * @example
 * const result = validateLessonEvent(JSON.parse(body));
 * if (result.kind === 'event') console.log(result.event.data.lesson.title);
 */
export function validateLessonEvent(value: unknown): LessonValidationResult {
  validate ??= compileContractValidator(withDefinitions(CourseLessonInteractionCompleted));
  const result = validate(value);
  return result.kind === 'valid'
    ? { kind: 'event', event: value as CourseLessonInteractionCompleted }
    : result;
}
