// Flags whose values are checked against the contract's lists (event types, answer statuses). They
// are checked when the command runs, not while commander parses, so that `--help` and the other
// commands never load the catalog; a bad value still fails as commander's own parsers fail.
import type { KnownEventType } from '@webhook-contracts/schema';
import { type Command, InvalidArgumentError } from 'commander';
import { parseEventTypes } from '../generators/eventTypes.js';
import { ANSWER_STATUSES } from '../sending/transport/answerStatus.js';

/** `--type`: a catalog type, a comma list or all, as a commander usage error when unknown. */
export function eventTypes(value: string): KnownEventType[] {
  try {
    return parseEventTypes(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--fail-on quarantined,unhandled`: answer statuses the contract declares, each once. */
export function answerStatuses(value: string): string[] {
  const list = [...new Set(value.split(',').map((s) => s.trim()))];
  const unknown = list.filter((status) => !ANSWER_STATUSES.includes(status));
  if (unknown.length > 0 || value.length > 200) {
    const shown = unknown.map((s) => JSON.stringify(s.slice(0, 40))).join(', ');
    throw new InvalidArgumentError(
      `${shown === '' ? 'too long' : `unknown ${shown}`}: expected a comma list of ${ANSWER_STATUSES.join(', ')}.`,
    );
  }
  return list;
}

/**
 * A flag's text parsed now, failing as commander fails for its own parsers: the same message on
 * stderr and a usage error.
 *
 * @example
 * const types = parsedFlag(command, '--type', flags.type, eventTypes);
 */
export function parsedFlag<T>(
  command: Command,
  long: string,
  value: string | undefined,
  parse: (value: string) => T,
): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const flags = command.options.find((option) => option.long === long)?.flags ?? long;
    command.error(`error: option '${flags}' argument '${value}' is invalid. ${error.message}`, {
      exitCode: error.exitCode,
      code: error.code,
    });
  }
}
