import { describe, expect, it } from 'vitest';
import { SenderConfigError } from '../errors.js';
import {
  parseCheckRequest,
  parseReplayRequest,
  parseSendRequest,
  REQUEST_LIMITS,
} from './parseRequestOptions.js';

const to = 'http://127.0.0.1:1/x';

function fieldsRefused(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SenderConfigError);
    expect((error as SenderConfigError).code).toBe('invalid_request');
    return ((error as SenderConfigError).details as Array<{ field: string }>).map((d) => d.field);
  }
  throw new Error('expected the request to be refused');
}

describe('parseSendRequest bounds', () => {
  it('accepts every field at its bound', () => {
    const request = {
      to,
      generate: 1000,
      concurrency: REQUEST_LIMITS.concurrency.max,
      duplicates: REQUEST_LIMITS.duplicates.max,
      shuffle: REQUEST_LIMITS.shuffle.max,
      rate: REQUEST_LIMITS.rate.max,
      timeoutMs: REQUEST_LIMITS.timeoutMs.max,
      retrySchedule: Array.from({ length: REQUEST_LIMITS.retrySchedule.maxLength }, () => 3600),
      maxRetryAfterSeconds: 3600,
    };
    expect(parseSendRequest(request)).toEqual(request);
  });

  it('takes failOn as a list of the statuses the contract declares, and refuses any other', () => {
    expect(parseSendRequest({ to, failOn: ['quarantined', 'unhandled'] })).toEqual({
      to,
      failOn: ['quarantined', 'unhandled'],
    });
    expect(parseReplayRequest({ from: to, to, failOn: ['duplicate'] })).toMatchObject({
      failOn: ['duplicate'],
    });
    for (const failOn of [
      ['rejected'],
      'quarantined',
      ['accepted', 'duplicate', 'unhandled', 'quarantined', 'accepted'],
    ]) {
      expect(fieldsRefused(() => parseSendRequest({ to, failOn }))).toEqual(['failOn']);
    }
    let refusal: unknown;
    try {
      parseSendRequest({ to, failOn: ['rejected'] });
    } catch (error) {
      refusal = error;
    }
    expect((refusal as SenderConfigError | undefined)?.details).toEqual([
      { field: 'failOn', message: 'must be an array of accepted, duplicate, unhandled, quarantined' },
    ]);
  });

  it('refuses lists and maps past their length, naming the field', () => {
    expect(
      fieldsRefused(() => parseSendRequest({ to, example: Array.from({ length: 101 }, () => 'docs-page') })),
    ).toEqual(['example']);
    const set = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`data.f${i}`, i]));
    expect(fieldsRefused(() => parseSendRequest({ to, set }))).toEqual(['set']);
  });

  it('counts the default docs examples against the duplicates bound', () => {
    expect(
      fieldsRefused(() => parseSendRequest({ to, generate: 1000, duplicates: 100, allExamples: true })),
    ).toEqual(['duplicates']);
    expect(parseSendRequest({ to, duplicates: 100 })).toEqual({ to, duplicates: 100 });
  });

  it('refuses values below the lower bound with the HTTP field name', () => {
    expect(fieldsRefused(() => parseSendRequest({ to, generate: 0, concurrency: 0, shuffle: 1 }))).toEqual([
      'generate',
      'concurrency',
      'shuffle',
    ]);
    expect(fieldsRefused(() => parseCheckRequest({ to, timeoutMs: 0 }))).toEqual(['timeoutMs']);
  });
});

describe('parseSendRequest: type', () => {
  it('takes a type, a comma list, an array or all, like --type', () => {
    expect(parseSendRequest({ to: 'http://x', generate: 2, type: 'refund.created' }).types).toEqual([
      'refund.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: 'payment.succeeded,refund.created' }).types).toEqual([
      'payment.succeeded',
      'refund.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: ['invoice.paid', 'entry.created'] }).types).toEqual([
      'invoice.paid',
      'entry.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: 'all' }).types).toHaveLength(41);
    expect(parseSendRequest({ to: 'http://x', generate: 1 })).not.toHaveProperty('types');
  });

  it('rejects a type outside the catalog or of the wrong shape', () => {
    expect(() => parseSendRequest({ to: 'http://x', type: 'payout.created' })).toThrow(SenderConfigError);
    expect(() => parseSendRequest({ to: 'http://x', type: 'payout.created' })).toThrow('"payout.created"');
    expect(() => parseSendRequest({ to: 'http://x', type: 7 })).toThrow(
      'type must be a string or a non-empty array of strings',
    );
  });
});

describe('credentials and long strings', () => {
  it('refuses a to with user:password@ on every route, naming the field and not the password', () => {
    const to = 'http://user:hunter2@127.0.0.1:1/x';
    for (const parse of [
      () => parseSendRequest({ to }),
      () => parseCheckRequest({ to }),
      () => parseReplayRequest({ from: 'http://127.0.0.1:2', to }),
    ]) {
      expect(fieldsRefused(parse)).toEqual(['to']);
      expect(parse).toThrow(/^invalid POST \/\w+ options: to must not carry credentials \(user:password@\)/);
      expect(parse).not.toThrow(/hunter2/);
    }
    expect(
      fieldsRefused(() => parseReplayRequest({ from: 'http://u:hunter2@127.0.0.1:2', to: 'http://t' })),
    ).toEqual(['from']);
  });

  it('refuses a set path longer than 256 characters', () => {
    expect(fieldsRefused(() => parseSendRequest({ to, set: { [`data.${'x'.repeat(252)}`]: 1 } }))).toEqual([
      'set',
    ]);
    expect(parseSendRequest({ to, set: { [`data.${'x'.repeat(251)}`]: 1 } })).toHaveProperty('set');
  });
});
