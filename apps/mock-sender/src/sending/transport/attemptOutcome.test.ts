import { describe, expect, it } from 'vitest';
import { stillHeldAfterGc } from '../../test-support/garbage.js';
import { CappedBody, failedOutcome, MAX_BODY_CHARS, RequestTimeout } from './attemptOutcome.js';

describe('CappedBody', () => {
  it('is empty until a chunk comes, then decodes the chunks as one text (a character split across two)', () => {
    const body = new CappedBody();
    expect(body.text()).toBe('');
    const bytes = Buffer.from('Zoë!');
    body.add(bytes.subarray(0, 3));
    body.add(bytes.subarray(3));
    expect(body.text()).toBe('Zoë!');
  });

  it('decodes a chunk that is a view into a larger buffer by its own bytes only', () => {
    const body = new CappedBody();
    body.add(Buffer.from('xxokxx').subarray(2, 4));
    expect(body.text()).toBe('ok');
  });

  it(`keeps the first ${MAX_BODY_CHARS} characters, however the body is split and whatever its encoding`, () => {
    const body = new CappedBody();
    for (let i = 0; i < 5000; i++) body.add(Buffer.from('€'));
    expect(body.text()).toBe('€'.repeat(MAX_BODY_CHARS));
    const exact = new CappedBody();
    exact.add(Buffer.from('a'.repeat(MAX_BODY_CHARS)));
    expect(exact.text()).toHaveLength(MAX_BODY_CHARS);
  });

  it('stops keeping chunks once it holds enough bytes for the cap', () => {
    const body = new CappedBody();
    body.add(Buffer.alloc(MAX_BODY_CHARS * 4, 'a'));
    body.add(Buffer.from('b'));
    const kept = body.text();
    expect(kept).toBe('a'.repeat(MAX_BODY_CHARS));
    // Under the byte bound a later chunk still counts.
    const small = new CappedBody();
    small.add(Buffer.alloc(MAX_BODY_CHARS * 4 - 1, 'a'));
    small.add(Buffer.from('b'));
    expect(small.text()).toBe('a'.repeat(MAX_BODY_CHARS));
  });

  it('holds on to no chunk that comes once it holds the bytes the cap needs (an endless body is not kept)', async () => {
    const body = new CappedBody();
    body.add(Buffer.alloc(MAX_BODY_CHARS * 4, 'a'));
    // Made in a helper, so that only the body could still refer to them.
    const addLater = () => {
      const chunk = Buffer.alloc(64 * 1024, 'b');
      body.add(chunk);
      return new WeakRef(chunk);
    };
    const later = [addLater(), addLater()];
    expect(await stillHeldAfterGc(later)).toBe(0);
    expect(body.text()).toBe('a'.repeat(MAX_BODY_CHARS));
  });
});

describe('failedOutcome', () => {
  it('reports a RequestTimeout as a timeout naming the timeout', () => {
    expect(failedOutcome(new RequestTimeout(), 250, 251)).toEqual({
      kind: 'timeout',
      message: 'no complete answer within 250 ms',
      latencyMs: 251,
    });
  });

  it("reports any other error as a connection error with the cause's message when it has one", () => {
    const wrapped = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    expect(failedOutcome(wrapped, 1000, 3)).toEqual({
      kind: 'connection_error',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      latencyMs: 3,
    });
    expect(failedOutcome(new Error('other side closed'), 1000, 3)).toMatchObject({
      message: 'other side closed',
    });
    expect(failedOutcome(new Error('outer', { cause: new Error('') }), 1000, 3)).toMatchObject({
      message: 'outer',
    });
    expect(failedOutcome(new Error('outer', { cause: 'not an error' }), 1000, 3)).toMatchObject({
      message: 'outer',
    });
    expect(failedOutcome('a string', 1000, 3)).toMatchObject({
      kind: 'connection_error',
      message: 'a string',
    });
    expect(failedOutcome(undefined, 1000, 3)).toMatchObject({ message: 'undefined' });
  });
});
