// The rules a forwarding setting's name-like value must meet before the receiver starts: what the
// broker would refuse later (a stream name with a dot, an exchange name of 300 bytes), refused at
// start with the setting named. Each check answers the problem in words, or undefined.
import { eventTypeNames } from '@webhook-contracts/schema/constants';
import { parseTypePattern, typePatternRule } from './typePattern.js';

/** Longest stream name, subject and exchange name the brokers take (NATS; AMQP's shortstr). */
export const maxBrokerNameLength = 255;

/** Longest destination URL. */
export const maxForwardUrlLength = 2048;

/** Most entries in one FORWARD_<KIND>_TYPES list. */
export const maxTypePatterns = 100;

/** The longest type the catalog knows: a subject must still fit once it is put in. */
const longestKnownType = eventTypeNames.reduce<string>((a, b) => (b.length > a.length ? b : a), '');

/**
 * A JetStream stream name: printable ASCII without spaces, `.`, `*`, `>` or path separators (the
 * name becomes a file name on the server), at most 255 characters.
 *
 * @example natsStreamProblem('WHOP'); // undefined
 */
export function natsStreamProblem(name: string): string | undefined {
  if (
    name.length === 0 ||
    name.length > maxBrokerNameLength ||
    !/^[\x21-\x7e]+$/.test(name) ||
    /[.*>/\\]/.test(name)
  ) {
    return `expected a JetStream stream name: 1 to ${maxBrokerNameLength} printable ASCII characters without spaces, ".", "*", ">", "/" or "\\", e.g. WHOP`;
  }
  return undefined;
}

/**
 * A subject template: dot-separated tokens of letters, digits, `_` and `-`, ending in `.{type}`,
 * at most 255 characters once the longest catalog type is put in.
 *
 * @example natsSubjectProblem('whop.{type}'); // undefined
 */
export function natsSubjectProblem(template: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.\{type\}$/.test(template)) {
    return 'expected a subject prefix of dot-separated letters, digits, _ and - followed by .{type}, e.g. whop.{type}';
  }
  const longest = template.replace('{type}', longestKnownType).length;
  if (longest > maxBrokerNameLength) {
    return `expected a subject of at most ${maxBrokerNameLength} characters with the longest event type (${longestKnownType}) in it: it would be ${longest}`;
  }
  return undefined;
}

/**
 * An AMQP exchange name: 1 to 255 bytes of letters, digits, `-`, `_`, `.` and `:`, not starting
 * with `amq.` (RabbitMQ reserves those).
 *
 * @example amqpExchangeProblem('whop'); // undefined
 */
export function amqpExchangeProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.:-]{1,255}$/.test(name)) {
    return `expected an exchange name of 1 to ${maxBrokerNameLength} letters, digits, "-", "_", "." and ":", e.g. whop`;
  }
  if (name.startsWith('amq.'))
    return 'names starting with "amq." are reserved by RabbitMQ: choose another, e.g. whop';
  return undefined;
}

/**
 * A FORWARD_<KIND>_TYPES list: 1 to 100 comma-separated patterns, each a type or `prefix.*` of at
 * most 200 characters. Empty items are dropped.
 *
 * @example typeListProblem(['payment.*', 'membership.activated']); // undefined
 */
export function typeListProblem(list: readonly string[]): string | undefined {
  if (list.length === 0)
    return `expected 1 to ${maxTypePatterns} comma-separated event types, e.g. membership.went_valid,payment.*`;
  if (list.length > maxTypePatterns) return `lists ${list.length} types: at most ${maxTypePatterns}`;
  const bad = list.find((t) => parseTypePattern(t) === null);
  if (bad !== undefined) return `"${bad.slice(0, 64)}" is not ${typePatternRule}`;
  return undefined;
}
