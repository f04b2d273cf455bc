// The one validation entry point, on every request's path: validators are compiled once at module
// load, and a payload is checked by a single validator chosen by its `type` (the event's own when
// the type is known, the generic envelope's otherwise), never by all of them.
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { type ContractError, contractErrorsFromAjv } from './ContractError.js';
import { Envelope } from './Envelope.js';
import { eventSchemas, type KnownEvent } from './events/index.js';
import { isDateTime } from './isDateTime.js';

export type ValidationResult =
  | { kind: 'event'; event: KnownEvent }
  | { kind: 'unknown_event'; type: string; envelope: Envelope }
  | { kind: 'invalid'; errors: ContractError[] };

// allErrors: a sender's bug report should list every broken field, not the first one.
const ajv = new Ajv({ allErrors: true, strict: true });
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
ajvFormats.default(ajv);
// Same verdicts as ajv-formats' date-time (see isDateTime.ts), several times faster.
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });

const validateEnvelope: ValidateFunction<Envelope> = ajv.compile<Envelope>(Envelope);
const eventValidators = new Map<string, ValidateFunction<KnownEvent>>(
  eventSchemas.map((schema) => [schema.properties.type.const, ajv.compile<KnownEvent>(schema)]),
);

/**
 * Checks a parsed webhook body against the contract.
 *
 * - `event`: a known `type` and a payload that matches its schema (narrow further on `event.type`);
 * - `unknown_event`: a well-formed envelope whose `type` this contract does not know (accept it);
 * - `invalid`: anything else, with one error per broken rule (see `ContractError`).
 *
 * @example
 * const result = validateEvent(JSON.parse(body));
 * if (result.kind === 'event' && result.event.type === 'course_lesson_interaction.completed') {
 *   console.log(result.event.data.user.username);
 * } else if (result.kind === 'invalid') {
 *   console.error(result.errors.map(formatContractError).join('\n'));
 * }
 */
export function validateEvent(value: unknown): ValidationResult {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string') {
    const validate = eventValidators.get(type);
    if (validate !== undefined) {
      return validate(value)
        ? { kind: 'event', event: value }
        : { kind: 'invalid', errors: contractErrorsFromAjv(validate.errors) };
    }
  }
  return validateEnvelope(value)
    ? { kind: 'unknown_event', type: value.type, envelope: value }
    : { kind: 'invalid', errors: contractErrorsFromAjv(validateEnvelope.errors) };
}
