// Parsers for commander option values: a bad value is a usage error (exit 2) with a clear message.
import type { KnownEventType } from '@webhook-contracts/schema';
import { InvalidArgumentError } from 'commander';
import { parseEventTypes } from '../generators/catalogGenerator.js';
import { ANSWER_STATUSES } from '../sending/transport/answerStatus.js';

/** A number, as typed; its range is the request schema's to check. */
export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

/** An integer, as typed; its range is the request schema's to check. */
export function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** `10,20,40` or `0.05,0.1` -> seconds; an empty string means "no retries". */
export function retrySchedule(value: string): number[] {
  if (value.trim() === '') return [];
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !(n >= 0) || !Number.isFinite(n))) {
    throw new InvalidArgumentError(
      'expected comma-separated non-negative seconds, e.g. 10,20,40 or 0.05,0.1.',
    );
  }
  return list;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

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
