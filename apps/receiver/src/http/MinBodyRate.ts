// The slowest a request body may arrive once its headers are in. A sender pushes a webhook body at
// once; a client that dribbles it (a byte now and then) only holds a socket and a request slot
// until REQUEST_TIMEOUT_SECONDS. Here every body still arriving must bring `bytesPerSecond` on
// average over each window of `windowMs`, the first window starting with the body: a body that
// stalls is given up between one window and a quarter window more after its last progress.
// "Send fast, then stall" does not buy time either: each window is judged on its own bytes.
// One timer (every quarter window, unref'd) checks every body being read.

/** One body being watched: count what arrives, stop once it is read or given up. */
export interface BodyRateWatch {
  /** Counts `bytes` that just arrived. */
  received(bytes: number): void;
  /** Stops watching (the body is read, refused, or the client left). Idempotent. */
  stop(): void;
}

export interface MinBodyRateOptions {
  /** The slowest average rate accepted over each window, in bytes a second (>= 1). */
  bytesPerSecond: number;
  /** The window the rate is averaged over, in ms (>= 1); also the grace before the first check. */
  windowMs: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

interface Watched {
  startedAt: number;
  total: number;
  /** `total` as it was at each check, oldest first; the first is `{ at: startedAt, total: 0 }`. */
  samples: { at: number; total: number }[];
  onTooSlow: () => void;
}

/**
 * Watches request bodies and calls back the ones arriving slower than the minimum rate.
 *
 * @example
 * const rate = new MinBodyRate({ bytesPerSecond: 1024, windowMs: 5000 });
 * const watch = rate.watch(() => answer408('body_too_slow'));
 * req.on('data', (chunk) => watch.received(chunk.length));
 * req.on('end', () => watch.stop());
 */
export class MinBodyRate {
  readonly bytesPerSecond: number;
  readonly windowMs: number;
  /** Bytes a body must bring in each window. */
  readonly bytesPerWindow: number;
  private readonly now: () => number;
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MinBodyRateOptions) {
    const { bytesPerSecond, windowMs } = options;
    if (!Number.isSafeInteger(bytesPerSecond) || bytesPerSecond < 1) {
      throw new RangeError(
        `the minimum body rate must be a whole number of bytes >= 1, got ${bytesPerSecond}`,
      );
    }
    if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
      throw new RangeError(`the body rate window must be a whole number of ms >= 1, got ${windowMs}`);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.windowMs = windowMs;
    this.bytesPerWindow = Math.ceil((bytesPerSecond * windowMs) / 1000);
    this.now = options.now ?? Date.now;
  }

  /** Bodies being watched right now. */
  get size(): number {
    return this.watched.size;
  }

  /** Starts watching a body whose headers just arrived; `onTooSlow` is called at most once. */
  watch(onTooSlow: () => void): BodyRateWatch {
    const startedAt = this.now();
    const entry: Watched = { startedAt, total: 0, samples: [{ at: startedAt, total: 0 }], onTooSlow };
    this.watched.add(entry);
    if (this.timer === undefined) {
      // A quarter window: a stalled body is cut at most a quarter window past its due time.
      this.timer = setInterval(() => this.check(), Math.max(50, Math.floor(this.windowMs / 4)));
      this.timer.unref();
    }
    return {
      received: (bytes) => {
        entry.total += bytes;
      },
      stop: () => this.forget(entry),
    };
  }

  /** Judges every watched body now: the timer calls this; tests may too. */
  check(): void {
    const now = this.now();
    const windowStart = now - this.windowMs;
    for (const entry of this.watched) {
      const { samples } = entry;
      samples.push({ at: now, total: entry.total });
      // Keep the newest sample at or before the window's start: the base the window is judged from.
      while (samples.length > 1 && samples[1]!.at <= windowStart) samples.shift();
      if (now - entry.startedAt < this.windowMs) continue;
      if (entry.total - samples[0]!.total >= this.bytesPerWindow) continue;
      this.forget(entry);
      entry.onTooSlow();
    }
  }

  private forget(entry: Watched): void {
    this.watched.delete(entry);
    if (this.watched.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
