import { describe, expect, it } from 'vitest';
import { bodyBytes } from './signature.js';
import { captureError } from './test-support/captureError.js';

describe('bodyBytes', () => {
  it('views bytes without copying and encodes a string as UTF-8', () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4]);
    const view = bodyBytes(backing.subarray(1, 4));
    expect([...view]).toEqual([1, 2, 3]);
    backing[2] = 9;
    expect([...view]).toEqual([1, 9, 3]);
    expect([...bodyBytes('é')]).toEqual([0xc3, 0xa9]);
  });

  it('refuses anything else with a message that says to pass the raw body', () => {
    const error = captureError(() => bodyBytes({ parsed: true } as unknown as string));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      'The webhook body must be a string or bytes (Buffer/Uint8Array), got object: pass the raw request body ' +
        '(with Express, mount express.raw({ type: () => true }) on the webhook route).',
    );
  });
});
