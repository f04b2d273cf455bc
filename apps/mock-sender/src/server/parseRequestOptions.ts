// Validates the JSON bodies of `POST /send` and `POST /check` into `send()`/`check()` options:
// every problem is collected into `details` so a caller fixes them all at once.

import type { CheckOptions } from '../check.js';
import { SenderConfigError } from '../errors.js';
import { parseEventTypes } from '../fixtures/catalogGenerator.js';
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
};

const checkFields: Record<string, Kind> = {
  to: 'string',
  secret: 'strings',
  timeoutMs: 'number',
  seed: 'seed',
};

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

function parseFields(body: unknown, fields: Record<string, Kind>, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SenderConfigError('invalid_body', `the ${what} body must be a JSON object of options`);
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
    const problem = fits(kind, value);
    if (problem !== undefined) problems.push({ field, message: problem });
  }
  if (record['to'] === undefined) problems.push({ field: 'to', message: 'is required: the receiver URL' });
  if (problems.length > 0) {
    throw new SenderConfigError(
      'invalid_body',
      `invalid ${what} options: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return record;
}

/** `POST /send` body -> send() options (without the secret when the body gives none). */
export function parseSendRequest(
  body: unknown,
): Omit<SendOptions, 'secret'> & { secret?: string | string[] } {
  const { type, ...options } = parseFields(body, sendFields, 'POST /send');
  // `type` is the CLI's --type: one type, a comma list or "all" (or an array of types).
  const types =
    type === undefined ? undefined : parseEventTypes(Array.isArray(type) ? type.join(',') : String(type));
  return { ...options, ...(types ? { types } : {}) } as unknown as Omit<SendOptions, 'secret'> & {
    secret?: string | string[];
  };
}

/** `POST /check` body -> check() options (without the secret when the body gives none). */
export function parseCheckRequest(
  body: unknown,
): Omit<CheckOptions, 'secret'> & { secret?: string | string[] } {
  return parseFields(body, checkFields, 'POST /check') as Omit<CheckOptions, 'secret'> & {
    secret?: string | string[];
  };
}
