import { eventSchemas, type KnownEventType } from './events/index.js';

/**
 * The `type` values this contract knows, in registry order.
 *
 * @example
 * knownEventTypes; // ['course_lesson_interaction.completed']
 */
export const knownEventTypes: readonly KnownEventType[] = Object.freeze(
  eventSchemas.map((schema) => schema.properties.type.const),
);

const known: ReadonlySet<string> = new Set(knownEventTypes);

/**
 * Whether `type` names an event in the registry.
 *
 * @example
 * isKnownEventType('course_lesson_interaction.completed'); // true
 * isKnownEventType('payout.created'); // false (not in the catalog)
 */
export function isKnownEventType(type: string): type is KnownEventType {
  return known.has(type);
}
