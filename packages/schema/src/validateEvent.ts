// The one validation entry point, on every request's path. A payload is checked by a single
// validator chosen by its `type` through a map (the event's own when the type is known, the generic
// envelope's otherwise), never by all of them, so the cost does not grow with the catalog. An
// event's validator is compiled on first use and kept, the envelope's too: importing the package
// compiles nothing, and a service pays for the types it actually receives. Errors are bounded (see
// contractValidator.ts).
import type { TSchema } from '@sinclair/typebox';
import {
  type ContractValidator,
  compileContractValidator,
  type InvalidPayload,
} from './contractValidator.js';
import { Envelope } from './Envelope.js';
import { eventSchemaValidator } from './eventSchemaValidator.js';
import { eventSchemas, type KnownEvent } from './events/index.js';

export type ValidationResult =
  | { kind: 'event'; event: KnownEvent }
  | { kind: 'unknown_event'; type: string; envelope: Envelope }
  | InvalidPayload;

// Compiled on first use too, with the first validator that needs Ajv at all.
let validateEnvelope: ContractValidator | undefined;
const schemasByType = new Map<string, TSchema>(
  eventSchemas.map((schema) => [schema.properties.type.const, schema]),
);
const eventValidators = new Map<string, ContractValidator>();

/** The compiled validator of a known type (compiled now if this is its first use), or undefined. */
function eventValidator(type: string): ContractValidator | undefined {
  const compiled = eventValidators.get(type);
  if (compiled !== undefined) return compiled;
  const schema = schemasByType.get(type);
  if (schema === undefined) return undefined;
  const validate = eventSchemaValidator(schema);
  eventValidators.set(type, validate);
  return validate;
}

/**
 * Checks a parsed webhook body against the contract.
 *
 * - `event`: a known `type` and a payload that matches its schema (narrow further on `event.type`);
 * - `unknown_event`: a well-formed envelope whose `type` this contract does not know (accept it);
 * - `invalid`: anything else, with the first maxListedContractErrors (20) errors, one per broken
 *   rule (see `ContractError`), `errorCount` and whether every check ran (`complete`).
 *
 * @example
 * const result = validateEvent(JSON.parse(body));
 * if (result.kind === 'event' && result.event.type === 'course_lesson_interaction.completed') {
 *   console.log(result.event.data.user.username);
 * } else if (result.kind === 'invalid') {
 *   console.error(result.errors.map(formatContractError).join('\n'), `${result.errorCount} in all`);
 * }
 */
export function validateEvent(value: unknown): ValidationResult {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string') {
    const validate = eventValidator(type);
    if (validate !== undefined) {
      const result = validate(value);
      return result.kind === 'valid' ? { kind: 'event', event: value as KnownEvent } : result;
    }
  }
  validateEnvelope ??= compileContractValidator(Envelope);
  const result = validateEnvelope(value);
  if (result.kind !== 'valid') return result;
  const envelope = value as Envelope;
  return { kind: 'unknown_event', type: envelope.type, envelope };
}
