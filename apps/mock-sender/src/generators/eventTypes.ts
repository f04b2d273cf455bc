// The event types a run can ask for, checked against the catalog's names alone
// (`@webhook-contracts/schema/constants`), so parsing `--type` or a send request loads no schema.
import type { KnownEventType } from '@webhook-contracts/schema';
import { eventTypeNames } from '@webhook-contracts/schema/constants';
import { SenderConfigError } from '../errors.js';

/** What `--generate` sends without `--type`: the lesson-progress event. */
export const DEFAULT_EVENT_TYPE: KnownEventType = 'course_lesson_interaction.completed';

const names: ReadonlySet<string> = new Set(eventTypeNames);

/** Whether `type` names an event of the catalog. */
export function isEventTypeName(type: string): type is KnownEventType {
  return names.has(type);
}

/**
 * Parses `--type`: one type, a comma list, or `all` (every catalog type, sorted). Unknown names are
 * a usage error.
 *
 * @example
 * parseEventTypes('payment.succeeded,refund.created'); // ['payment.succeeded', 'refund.created']
 */
export function parseEventTypes(value: string): KnownEventType[] {
  if (value.trim() === 'all') return [...eventTypeNames] as KnownEventType[];
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length === 0)
    throw new SenderConfigError('invalid_option', '--type needs an event type, a comma list or all');
  const unknown = types.filter((t) => !isEventTypeName(t));
  if (unknown.length > 0) {
    throw new SenderConfigError(
      'invalid_option',
      `unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}: use one of the catalog's types (see packages/schema/README.md) or all`,
    );
  }
  return [...new Set(types as KnownEventType[])];
}
