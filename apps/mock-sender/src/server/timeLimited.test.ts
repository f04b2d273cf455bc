import { describe, expect, it } from 'vitest';
import { stoppedOf, timeLimited } from './timeLimited.js';

/** Work that counts until its signal aborts, then returns how far it got. */
const counting = (signal: AbortSignal) =>
  new Promise<{ sent: number }>((resolve) => {
    let sent = 0;
    const timer = setInterval(() => sent++, 5);
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      resolve({ sent });
    });
  });

describe('timeLimited', () => {
  it('returns the result of work that ends in time unchanged', async () => {
    const result = await timeLimited(async () => ({ sent: 3 }), 60)(new AbortController().signal, () => {});
    expect(result).toEqual({ sent: 3 });
    expect(stoppedOf(result)).toBeUndefined();
  });

  it('aborts work at the limit and marks its result stopped, naming the setting', async () => {
    const result = await timeLimited(counting, 0.05)(new AbortController().signal, () => {});
    expect(stoppedOf(result)).toEqual({
      code: 'run_time_limit',
      message:
        'stopped at SENDER_MAX_RUN_SECONDS (0.05 s); the counts are what was done by then: split the run or ask the operator to raise the setting',
    });
    expect((result as { sent: number }).sent).toBeGreaterThanOrEqual(0);
  });

  it('does not mark a run its own signal cancelled', async () => {
    const cancel = new AbortController();
    const running = timeLimited(counting, 60)(cancel.signal, () => {});
    cancel.abort();
    expect(stoppedOf(await running)).toBeUndefined();
  });
});

describe('stoppedOf', () => {
  it('reads the stopped mark of an object and nothing of anything else', () => {
    expect(stoppedOf({ stopped: { code: 'run_time_limit', message: 'm' } })).toEqual({
      code: 'run_time_limit',
      message: 'm',
    });
    for (const value of [null, undefined, 3, 'x', {}]) expect(stoppedOf(value)).toBeUndefined();
  });
});
