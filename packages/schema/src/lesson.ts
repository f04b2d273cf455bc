// The lesson event on its own, for a program that handles only that type (the mock sender's default
// generated events): its schema, static type and validator, importable as
// `@webhook-contracts/schema/lesson` without building the rest of the catalog, which the package's
// main entry does when imported. Ajv is loaded; the validator is compiled on first use.
export { type ContractError, formatContractError } from './ContractError.js';
export { CourseLessonInteractionCompleted } from './events/CourseLessonInteractionCompleted.js';
export { type LessonValidationResult, validateLessonEvent } from './validateLessonEvent.js';
