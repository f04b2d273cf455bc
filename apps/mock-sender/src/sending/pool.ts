// A bounded worker pool that pulls work from an iterator: at most `concurrency` items are in flight
// and nothing is read ahead, so an endless or 100 000-event generator never sits in memory. The
// source may be async (a file or a stream read line by line).

export interface PoolOptions<T> {
  concurrency: number;
  worker: (item: T) => Promise<void>;
  /** Awaited before each item is pulled (rate limiting). */
  beforeEach?: () => Promise<void>;
  /** Checked before each item is pulled; true stops the pool (e.g. the endpoint answered 410). */
  shouldStop?: () => boolean;
}

/**
 * Runs `worker` over every item of `source` with bounded concurrency; resolves when all are done.
 *
 * @example
 * await runPool([1, 2, 3][Symbol.iterator](), { concurrency: 2, worker: async (n) => console.log(n) });
 */
export async function runPool<T>(
  source: Iterator<T> | AsyncIterator<T>,
  options: PoolOptions<T>,
): Promise<void> {
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!exhausted && failure === undefined) {
      if (options.shouldStop?.()) return;
      if (options.beforeEach !== undefined) await options.beforeEach();
      if (exhausted || failure !== undefined || options.shouldStop?.()) return;
      let next: IteratorResult<T>;
      try {
        const pulled = source.next();
        // A synchronous source (generated events) is not awaited: a tick per item adds up.
        next = 'then' in pulled ? await pulled : pulled;
      } catch (error) {
        failure = { error };
        return;
      }
      if (next.done) {
        exhausted = true;
        return;
      }
      try {
        await options.worker(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  if (failure !== undefined) throw failure.error;
}

/**
 * Spaces starts to at most `perSecond` per second; the returned function resolves when the next
 * start may happen.
 *
 * @example
 * const acquire = createRateLimiter(50, Date.now, sleep); await acquire();
 */
export function createRateLimiter(
  perSecond: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): () => Promise<void> {
  const interval = 1000 / perSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return async () => {
    const current = now();
    const slot = Math.max(current, nextSlot);
    nextSlot = slot + interval;
    if (slot > current) await sleep(slot - current);
  };
}
