// The one grammar of an event-type filter: FORWARD_<KIND>_TYPES entries and the dead-letter
// routes' `type` parameter. An exact type (`payment.succeeded`) or every type under a prefix
// (`payment.*`); dot-separated tokens of letters, digits, `_` and `-`.

import { forwardingLimits } from '@webhook-contracts/schema/constants';

/** Longest accepted pattern, in characters (Whop's types are under 64). */
export const typePatternMaxLength = forwardingLimits.typePattern;

const grammar = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?$/;

/** What a pattern takes: one type, or every type starting with `prefix` (which ends with `.`). */
export type TypePattern = { exact: string } | { prefix: string };

/** The rule in words, for error messages. */
export const typePatternRule =
  `an event type (dot-separated letters, digits, _ and -) or a prefix ending in .* such as payment.*, ` +
  `at most ${typePatternMaxLength} characters`;

/**
 * Reads one pattern; null when it breaks the grammar or is too long.
 *
 * @example
 * parseTypePattern('payment.*'); // { prefix: 'payment.' }
 * parseTypePattern('payment.succeeded'); // { exact: 'payment.succeeded' }
 * parseTypePattern('bad type'); // null
 */
export function parseTypePattern(text: string): TypePattern | null {
  if (text.length > typePatternMaxLength || !grammar.test(text)) return null;
  return text.endsWith('.*') ? { prefix: text.slice(0, -1) } : { exact: text };
}
