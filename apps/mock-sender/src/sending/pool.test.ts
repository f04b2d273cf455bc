import { describe, expect, it } from 'vitest';
import { createRateLimiter, runPool } from './pool.js';

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

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

  it('paces no further item once another lane found the source exhausted', async () => {
    let paced = 0;
    const pulls: (number | 'done')[] = [];
    const items = [1, 2][Symbol.iterator]();
    const source: Iterator<number> = {
      next: () => {
        const next = items.next();
        pulls.push(next.done ? 'done' : next.value);
        return next;
      },
    };
    let releaseFirst: (() => void) | undefined;
    const first = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const running = runPool(source, {
      concurrency: 2,
      beforeEach: async () => {
        paced++;
      },
      // Item 1 is held until the other lane has pulled item 2 and found the end.
      worker: async (n) => {
        if (n === 1) await first;
      },
    });
    await until(() => pulls.includes('done'));
    releaseFirst?.();
    await running;
    expect(pulls).toEqual([1, 2, 'done']);
    expect(paced).toBe(3);
  });

  it('starts no item, and paces none, once a worker has failed', async () => {
    let paced = 0;
    const started: number[] = [];
    let failFirst: (() => void) | undefined;
    const firstFails = new Promise<void>((_resolve, reject) => {
      failFirst = () => reject(new Error('boom at 1'));
    });
    let openGate: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const running = runPool([1, 2, 3, 4][Symbol.iterator](), {
      concurrency: 2,
      // The third turn (the lane that ran item 2 asking for the next) waits at the gate.
      beforeEach: async () => {
        paced++;
        if (paced === 3) await gate;
      },
      worker: async (n) => {
        started.push(n);
        if (n === 1) await firstFails;
      },
    }).catch((e: unknown) => e);
    await until(() => paced === 3);
    // Item 1 fails while the other lane waits for its turn; let that failure land, then open the gate.
    failFirst?.();
    await new Promise((resolve) => setImmediate(resolve));
    openGate?.();
    const error = await running;
    expect((error as Error).message).toBe('boom at 1');
    expect(started).toEqual([1, 2]);
    expect(paced).toBe(3);
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
