import { describe, expect, it } from 'vitest';
import { optionValidators, requestValidators } from './requestProblems.js';

describe('the request validator', () => {
  it('reports each bad field once, saying what it must be', () => {
    expect(
      requestValidators.send.problems({ generate: 'ten', retrySchedule: [1, 7200], shuffle: 1, colour: 'x' }),
    ).toEqual([
      { field: 'to', message: 'is required: the receiver URL (http or https, no user:password@)' },
      { field: 'colour', message: expect.stringMatching(/^is not an option of POST \/send \(known: to, /) },
      { field: 'generate', message: 'must be an integer' },
      { field: 'retrySchedule', message: 'entries must be from 0 to 3600, got 7200' },
      { field: 'shuffle', message: 'must be from 2 to 10000, got 1' },
    ]);
  });

  it("applies serve's upper bounds to requests only", () => {
    const big = { to: 'http://x', generate: 1_000_000, concurrency: 1000 };
    expect(requestValidators.send.problems(big).map((p) => p.field)).toEqual(['generate', 'concurrency']);
    expect(optionValidators.send.problems(big)).toEqual([]);
    expect(optionValidators.send.problems({ to: 'http://x', generate: 0 })).toEqual([
      { field: 'generate', message: 'must be ≥ 1, got 0' },
    ]);
  });

  it("bounds every string serve takes, naming the length, and leaves the CLI's unbounded", () => {
    const long = (n: number) => 'x'.repeat(n);
    const request = {
      to: `http://x/${long(2048)}`,
      seed: long(257),
      example: [long(201)],
      secret: long(4097),
    };
    expect(requestValidators.send.problems(request)).toEqual([
      { field: 'to', message: 'must be at most 2048 characters, got 2057' },
      { field: 'secret', message: 'must be at most 4096 characters, got 4097' },
      { field: 'example', message: 'entries must be at most 200 characters, got 201' },
      { field: 'seed', message: 'must be at most 256 characters, got 257' },
    ]);
    expect(optionValidators.send.problems(request)).toEqual([]);
    expect(
      requestValidators.replay.problems({
        from: 'http://s',
        to: 'http://t',
        since: long(65),
        token: long(4097),
      }),
    ).toEqual([
      { field: 'token', message: 'must be at most 4096 characters, got 4097' },
      { field: 'since', message: 'must be at most 64 characters, got 65' },
    ]);
  });

  it('checks the check request with its own fields', () => {
    expect(requestValidators.check.problems({ to: 'http://x', generate: 1 })).toEqual([
      { field: 'generate', message: expect.stringMatching(/^is not an option of POST \/check/) },
    ]);
  });
});
