// Validates the JSON bodies of `POST /send` and `POST /check` into `send()`/`check()` options:
// every problem is collected into `details` so a caller fixes them all at once. Every number has an
// upper bound, so no request can ask the shared service for unbounded work.

import type { CheckOptions } from '../check.js';
import { SenderConfigError } from '../errors.js';
import { parseEventTypes } from '../fixtures/catalogGenerator.js';
import { docsExamples, loadExamples } from '../fixtures/examples.js';
import type { SendOptions } from '../send.js';

export interface FieldProblem {
  field: string;
  message: string;
}

type Kind =
  | 'string'
  | 'strings'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'numbers'
  | 'object'
  | 'seed'
  | 'shuffle';

const sendFields: Record<string, Kind> = {
  to: 'string',
  secret: 'strings',
  example: 'strings',
  allExamples: 'boolean',
  generate: 'integer',
  type: 'strings',
  seed: 'seed',
  set: 'object',
  keepIds: 'boolean',
  concurrency: 'integer',
  rate: 'number',
  timeoutMs: 'number',
  retrySchedule: 'numbers',
  maxRetryAfterSeconds: 'number',
  duplicates: 'integer',
  shuffle: 'shuffle',
  wait: 'boolean',
};

const checkFields: Record<string, Kind> = {
  to: 'string',
  secret: 'strings',
  timeoutMs: 'number',
  seed: 'seed',
  wait: 'boolean',
};

/** The bounds of the serve API's numeric fields (inclusive). */
export const REQUEST_LIMITS = {
  generate: { min: 1, max: 100_000 },
  concurrency: { min: 1, max: 256 },
  duplicates: { min: 1, max: 100 },
  /** Deliveries in one run: (examples + generate) × duplicates. */
  deliveries: { max: 100_000 },
  shuffle: { min: 2, max: 10_000 },
  rate: { min: 0.001, max: 10_000 },
  timeoutMs: { min: 1, max: 120_000 },
  retrySchedule: { maxLength: 10, maxSeconds: 3600 },
  maxRetryAfterSeconds: { min: 0, max: 3600 },
  example: { maxLength: 100 },
  set: { maxEntries: 100 },
} as const;

const ranges: Record<string, { min: number; max: number }> = {
  generate: REQUEST_LIMITS.generate,
  concurrency: REQUEST_LIMITS.concurrency,
  duplicates: REQUEST_LIMITS.duplicates,
  rate: REQUEST_LIMITS.rate,
  timeoutMs: REQUEST_LIMITS.timeoutMs,
  maxRetryAfterSeconds: REQUEST_LIMITS.maxRetryAfterSeconds,
};

/** Range problems of fields that already have the right type. */
function boundsProblem(field: string, value: unknown): string | undefined {
  const range = ranges[field];
  if (range !== undefined && typeof value === 'number' && (value < range.min || value > range.max))
    return `must be from ${range.min} to ${range.max}, got ${value}`;
  if (field === 'shuffle' && typeof value === 'number') {
    const { min, max } = REQUEST_LIMITS.shuffle;
    if (value < min || value > max) return `must be true or a window from ${min} to ${max}, got ${value}`;
  }
  if (field === 'retrySchedule' && Array.isArray(value)) {
    const { maxLength, maxSeconds } = REQUEST_LIMITS.retrySchedule;
    if (value.length > maxLength) return `must list at most ${maxLength} retries, got ${value.length}`;
    if (value.some((s: number) => s < 0 || s > maxSeconds))
      return `entries must be from 0 to ${maxSeconds} seconds`;
  }
  if (field === 'example' && Array.isArray(value) && value.length > REQUEST_LIMITS.example.maxLength)
    return `must name at most ${REQUEST_LIMITS.example.maxLength} examples`;
  if (field === 'set' && typeof value === 'object' && value !== null) {
    if (Object.keys(value).length > REQUEST_LIMITS.set.maxEntries)
      return `must hold at most ${REQUEST_LIMITS.set.maxEntries} overrides`;
  }
  return undefined;
}

function fits(kind: Kind, value: unknown): string | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'strings':
      return typeof value === 'string' ||
        (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
        ? undefined
        : 'must be a string or a non-empty array of strings';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be a boolean';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'must be an integer';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'numbers':
      return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
        ? undefined
        : 'must be an array of numbers (seconds)';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : 'must be an object of "dotted.path": value';
    case 'seed':
      return typeof value === 'string' || Number.isInteger(value)
        ? undefined
        : 'must be a string or an integer';
    case 'shuffle':
      return typeof value === 'boolean' || Number.isInteger(value)
        ? undefined
        : 'must be a boolean or a window size';
  }
}

function parseFields(
  body: unknown,
  fields: Record<string, Kind>,
  what: string,
  extraChecks: (record: Record<string, unknown>, problems: FieldProblem[]) => void = () => {},
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SenderConfigError('invalid_request', `the ${what} body must be a JSON object of options`);
  }
  const problems: FieldProblem[] = [];
  const record = body as Record<string, unknown>;
  for (const [field, value] of Object.entries(record)) {
    const kind = fields[field];
    if (kind === undefined) {
      problems.push({
        field,
        message: `is not an option of ${what} (known: ${Object.keys(fields).join(', ')})`,
      });
      continue;
    }
    const problem = fits(kind, value) ?? boundsProblem(field, value);
    if (problem !== undefined) problems.push({ field, message: problem });
  }
  if (record['to'] === undefined) problems.push({ field: 'to', message: 'is required: the receiver URL' });
  if (problems.length === 0) extraChecks(record, problems);
  if (problems.length > 0) {
    throw new SenderConfigError(
      'invalid_request',
      `invalid ${what} options: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return record;
}

/**
 * duplicates × (examples + generate) is the run's size: bounded as a whole, so neither factor can
 * multiply the other past the limit.
 */
function checkDeliveryCount(record: Record<string, unknown>, problems: FieldProblem[]): void {
  const example = record['example'];
  const generate = record['generate'] as number | undefined;
  // Like send(): the docs examples go out when asked for, or when no other source is given.
  const examples = Array.isArray(example)
    ? example.length
    : typeof example === 'string'
      ? 1
      : record['allExamples'] === true || generate === undefined
        ? docsExampleCount()
        : 0;
  const sources = examples + (generate ?? 0);
  const duplicates = (record['duplicates'] as number | undefined) ?? 1;
  const { max } = REQUEST_LIMITS.deliveries;
  if (sources * duplicates > max) {
    problems.push({
      field: 'duplicates',
      message: `duplicates × events (${duplicates} × ${sources}) must be at most ${max} deliveries: split the run`,
    });
  }
}

let docsCount: number | undefined;
function docsExampleCount(): number {
  docsCount ??= docsExamples(loadExamples()).length;
  return docsCount;
}

/** `POST /send` body -> send() options (without the secret when the body gives none). */
export function parseSendRequest(
  body: unknown,
): Omit<SendOptions, 'secret'> & { secret?: string | string[]; wait?: boolean } {
  const { type, ...options } = parseFields(body, sendFields, 'POST /send', checkDeliveryCount);
  // `type` is the CLI's --type: one type, a comma list or "all" (or an array of types).
  const types =
    type === undefined ? undefined : parseEventTypes(Array.isArray(type) ? type.join(',') : String(type));
  return { ...options, ...(types ? { types } : {}) } as unknown as Omit<SendOptions, 'secret'> & {
    secret?: string | string[];
    wait?: boolean;
  };
}

/** `POST /check` body -> check() options (without the secret when the body gives none). */
export function parseCheckRequest(
  body: unknown,
): Omit<CheckOptions, 'secret'> & { secret?: string | string[]; wait?: boolean } {
  return parseFields(body, checkFields, 'POST /check') as Omit<CheckOptions, 'secret'> & {
    secret?: string | string[];
    wait?: boolean;
  };
}
