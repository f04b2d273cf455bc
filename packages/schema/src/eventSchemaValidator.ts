// One compiled validator per event schema, shared by every entry point that checks that schema
// (`validateEvent` by type, `validateLessonEvent` for the lesson event alone): compiled on first use.
import { type ContractValidator, compileContractValidator } from './contractValidator.js';
import { withDefinitions } from './withDefinitions.js';

const compiled = new Map<object, ContractValidator>();

/** The validator of `schema` (an event's TypeBox schema), compiled now if this is its first use. */
export function eventSchemaValidator(schema: object): ContractValidator {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = compileContractValidator(withDefinitions(schema));
    compiled.set(schema, validate);
  }
  return validate;
}
