// /healthz's view of the store, bounded in time and in load. A load balancer must be told within
// a short, fixed time that the store is not answering, whatever the database does (a frozen
// PostgreSQL leaves a query hanging until its statement timeout), and many probes must not pile
// store calls onto a store that is already slow: one ping runs at a time, callers that arrive while
// it runs share it, and once it has run past the time limit they are answered at once.

/** What one health check found. */
export type StoreHealth = { ok: true } | StoreFailure;

/** A health check that failed. */
export interface StoreFailure {
  ok: false;
  /** `timeout`: no answer within the limit; `error`: the store answered with an error. */
  failure: 'timeout' | 'error';
  /** What the store did, and for how long; safe to show anyone. */
  message: string;
  /** The store's error, for the log (failure `error` only). */
  cause?: unknown;
}

export interface StoreHealthProbeOptions {
  /** Longest a check waits for the store (default 2000 ms). */
  timeoutMs?: number;
  /**
   * Told once per ping that fails or runs past the limit (not once per caller), so a flood of
   * /healthz requests during an outage cannot flood the log.
   */
  onFailure?: (health: StoreFailure) => void;
  /** Clock in ms, for tests. */
  now?: () => number;
}

interface Probe {
  startedAt: number;
  /** Settles when the ping does, or when the time limit runs out, whichever is first. */
  result: Promise<StoreHealth>;
}

/**
 * Checks the store with `ping`, at most one ping in flight at a time, each check answered within
 * `timeoutMs`.
 *
 * @example
 * const health = new StoreHealthProbe(() => store.ping());
 * app.get('/healthz', async (_req, res) => {
 *   const found = await health.check();
 *   if (found.ok) res.json({ status: 'ok' });
 *   else sendError(res, 503, 'store_unavailable', found.message);
 * });
 */
export class StoreHealthProbe {
  readonly timeoutMs: number;
  private readonly ping: () => Promise<void>;
  private readonly now: () => number;
  private readonly onFailure: (health: StoreFailure) => void;
  private probe: Probe | undefined;

  constructor(ping: () => Promise<void>, options: StoreHealthProbeOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 2000;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`the health check time limit must be a whole number of ms >= 1, got ${timeoutMs}`);
    }
    this.timeoutMs = timeoutMs;
    this.ping = ping;
    this.now = options.now ?? Date.now;
    this.onFailure = options.onFailure ?? (() => {});
  }

  /** Whether the store answers: resolves within `timeoutMs`, never rejects. */
  check(): Promise<StoreHealth> {
    const running = this.probe;
    if (running === undefined) return this.start().result;
    const waited = this.now() - running.startedAt;
    // The ping in flight is already past the limit: say so now instead of starting another one.
    if (waited >= this.timeoutMs) return Promise.resolve(this.overdue(waited));
    return running.result;
  }

  private start(): Probe {
    const startedAt = this.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<StoreHealth>((resolve) => {
      timer = setTimeout(() => {
        const overdue = this.overdue(this.now() - startedAt);
        this.onFailure(overdue);
        resolve(overdue);
      }, this.timeoutMs);
      // A health check must not keep a stopping process alive.
      timer.unref();
    });
    const pinged = Promise.resolve()
      .then(this.ping)
      .then(
        (): StoreHealth => ({ ok: true }),
        (error: unknown): StoreHealth => {
          const failed: StoreFailure = {
            ok: false,
            failure: 'error',
            // The database's own words (hosts, ports) stay in the log: /healthz is open to anyone.
            message: 'The event store answered the health check with an error (logged by the receiver)',
            cause: error,
          };
          // A ping that fails after its limit ran out was reported as overdue already.
          if (this.now() - startedAt < this.timeoutMs) this.onFailure(failed);
          return failed;
        },
      )
      .finally(() => {
        clearTimeout(timer);
        // Only the ping in flight ends the probe: callers after it start a fresh one.
        if (this.probe === probe) this.probe = undefined;
      });
    const probe: Probe = { startedAt, result: Promise.race([pinged, limit]) };
    this.probe = probe;
    return probe;
  }

  private overdue(waitedMs: number): StoreFailure {
    return {
      ok: false,
      failure: 'timeout',
      message: `The event store has not answered the health check for ${waitedMs} ms (limit ${this.timeoutMs} ms)`,
    };
  }
}
