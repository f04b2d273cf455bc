// The whole contract: every catalog event's TypeBox schema and static type, the validators (Ajv,
// compiled per type on first use), the read API's shapes and routes. Importing it builds every
// schema; `@webhook-contracts/schema/constants` has the plain names and limits without that, and
// `@webhook-contracts/schema/lesson` the lesson event alone.
export {
  boundText,
  type ContractError,
  contractErrorsFromAjv,
  formatContractError,
  maxContractErrorTextLength,
} from './ContractError.js';
export { CourseLessonInteraction } from './CourseLessonInteraction.js';
export * from './catalog/events.js';
export * from './catalog/resources.js';
export {
  Nullable,
  NullableScalar,
  NullableStringEnum,
  StringEnum,
} from './catalog/schemaHelpers.js';
export {
  type InvalidPayload,
  maxCollectedErrors,
  maxListedContractErrors,
} from './contractValidator.js';
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
export * from './readApi/index.js';
export { type ValidationResult, validateEvent } from './validateEvent.js';
