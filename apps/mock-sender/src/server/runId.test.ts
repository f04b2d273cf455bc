import { HttpError } from '@webhook-contracts/http-kit';
import { describe, expect, it } from 'vitest';
import { parseRunId } from './runId.js';

function refusal(segment: string): HttpError {
  try {
    parseRunId(segment);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error(`expected ${segment.slice(0, 20)} to be refused`);
}

describe('parseRunId', () => {
  it('takes an id the service issues, percent-encoded or not', () => {
    expect(parseRunId('run_AbC-12_xyzXYZ0987')).toBe('run_AbC-12_xyzXYZ0987');
    expect(parseRunId('run%5Fabc')).toBe('run_abc');
  });

  it('answers 400 invalid_run_id for bad percent-encoding, NUL, non-UTF-8, other characters and length', () => {
    for (const [segment, why] of [
      ['%ZZ', 'is not percent-encoded UTF-8'],
      ['%C3%28', 'is not percent-encoded UTF-8'],
      ['%FF', 'is not percent-encoded UTF-8'],
      ['run_%00', 'may hold only letters, digits, - and _'],
      ['a%2Fb', 'may hold only letters, digits, - and _'],
      ['run_é', 'may hold only letters, digits, - and _'],
      ['x'.repeat(65), 'is longer than 64 characters'],
      ['x'.repeat(100_000), 'is longer than 64 characters'],
      ['', 'is missing'],
    ] as const) {
      const error = refusal(segment);
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_run_id');
      expect(error.message).toBe(
        `the run id ${why}: use the id from the 202 answer's run.id (or its Location header)`,
      );
    }
  });
});
