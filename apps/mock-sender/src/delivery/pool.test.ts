import { describe, expect, it } from 'vitest';
import { createRateLimiter, runPool } from './pool.js';

describe('runPool', () => {
  it('processes every item and never runs more than the concurrency at once', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7][Symbol.iterator](), {
      concurrency: 3,
      worker: async (n) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        done.push(n);
        active--;
      },
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('pulls items only when a lane is free, so an endless source is fine', async () => {
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled++;
        yield pulled;
      }
    }
    let handled = 0;
    await runPool(endless(), {
      concurrency: 2,
      shouldStop: () => handled >= 10,
      worker: async () => {
        handled++;
      },
    });
    expect(handled).toBe(10);
    expect(pulled).toBe(10);
  });

  it('rethrows the first worker error after the lanes stop', async () => {
    const error = await runPool([1, 2, 3][Symbol.iterator](), {
      concurrency: 1,
      worker: async (n) => {
        if (n === 2) throw new Error('boom at 2');
      },
    }).catch((e: unknown) => e);
    // Checked by hand: `rejects.toThrow` also passes for a rejection with undefined.
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('boom at 2');
  });
});

describe('runPool stopping and pacing', () => {
  it('asks beforeEach once per item, and not at all when told to stop from the start', async () => {
    let paced = 0;
    const done: number[] = [];
    await runPool([1, 2, 3][Symbol.iterator](), {
      concurrency: 1,
      beforeEach: async () => {
        paced++;
      },
      worker: async (n) => {
        done.push(n);
      },
    });
    expect(done).toEqual([1, 2, 3]);
    expect(paced).toBe(4);

    let pacedWhenStopped = 0;
    await runPool([1, 2][Symbol.iterator](), {
      concurrency: 2,
      shouldStop: () => true,
      beforeEach: async () => {
        pacedWhenStopped++;
      },
      worker: async () => {
        throw new Error('must not run');
      },
    });
    expect(pacedWhenStopped).toBe(0);
  });

  it('does not start an item when the stop comes while waiting for its turn', async () => {
    let stop = false;
    const done: number[] = [];
    await runPool([1, 2, 3][Symbol.iterator](), {
      concurrency: 1,
      shouldStop: () => stop,
      beforeEach: async () => {
        if (done.length === 1) stop = true;
      },
      worker: async (n) => {
        done.push(n);
      },
    });
    expect(done).toEqual([1]);
  });

  it('rejects with the error of a source that throws', async () => {
    const source: Iterator<number> = {
      next: () => {
        throw new Error('source broke');
      },
    };
    const error = await runPool(source, { concurrency: 2, worker: async () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('source broke');
  });
});

describe('createRateLimiter', () => {
  it('spaces starts 1/R seconds apart', async () => {
    const now = 1000;
    const waits: number[] = [];
    const acquire = createRateLimiter(
      4,
      () => now,
      async (ms) => {
        waits.push(ms);
      },
    );
    for (let i = 0; i < 4; i++) await acquire();
    expect(waits).toEqual([250, 500, 750]);
  });
});
