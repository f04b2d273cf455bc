export { type ContractError, contractErrorsFromAjv, formatContractError } from './ContractError.js';
export { CourseLessonInteraction } from './CourseLessonInteraction.js';
export { Envelope, eventEnvelope } from './Envelope.js';
export {
  CourseLessonInteractionCompleted,
  eventSchemas,
  type KnownEvent,
  type KnownEventType,
} from './events/index.js';
export { isDateTime } from './isDateTime.js';
export { isKnownEventType, knownEventTypes } from './knownEventTypes.js';
export { NullableString, type NullableStringOptions } from './NullableString.js';
export { type ValidationResult, validateEvent } from './validateEvent.js';
