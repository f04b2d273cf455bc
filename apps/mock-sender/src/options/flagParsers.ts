// Parsers for commander option values: a bad value is a usage error (exit 2) with a clear message.
// The catalog's lists (event types, answer statuses) are checked in catalogFlags.ts, once a command
// runs: parsing here stays free of the contract so that --help loads none of it.
import { InvalidArgumentError } from 'commander';

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
