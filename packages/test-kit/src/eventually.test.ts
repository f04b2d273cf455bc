import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('resolves with the first value that is not undefined', async () => {
    let calls = 0;
    const value = await eventually('the third call', () => (++calls === 3 ? 'done' : undefined), 1000);
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('fails after the deadline naming what it waited for and the last error', async () => {
    const waiting = eventually(
      'the row to appear',
      () => {
        throw new Error('no such row');
      },
      60,
    );
    await expect(waiting).rejects.toThrow(
      /^the row to appear: not reached within 60 ms \(last error: no such row\)$/,
    );
  });
});
