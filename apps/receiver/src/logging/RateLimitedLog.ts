// Log lines an attacker can cause at will (a refused delivery, a failed login) written at a bounded
// rate, so a flood of bad requests cannot fill the disk or drown the lines that matter: per kind,
// the first few lines of each interval are written, the rest counted, and one "suppressed" line
// per interval says how many were dropped. Metrics still count every one.
import type { Logger } from './logger.js';

export type RateLimitedLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RateLimitedLogOptions {
  /** Lines written per kind in each interval (default 10). */
  linesPerInterval?: number;
  /** The interval in ms (default 5000). */
  intervalMs?: number;
  /**
   * Distinct kinds tracked (default 64); lines of further kinds share one `other` kind, so kinds
   * made from input cannot grow the table.
   */
  maxKinds?: number;
}

interface KindState {
  /** When this kind's current interval began. */
  startedAt: number;
  written: number;
  suppressed: number;
  /** The level of the last suppressed line: the suppressed count is written at it. */
  level: RateLimitedLevel;
  /** Writes the suppressed count when the interval ends (set while something is suppressed). */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Writes log lines through `logger`, at most `linesPerInterval` of each kind per interval, then one
 * `{ kind, suppressed, intervalSeconds }` line when the interval ends.
 *
 * @example
 * const refusals = new RateLimitedLog(logger, { linesPerInterval: 10, intervalMs: 5000 });
 * refusals.log('rejected_signature', 'warn', { code: 'no_matching_signature' }, 'delivery rejected');
 * refusals.log('login_failed', 'warn', undefined, 'read API: wrong token');
 */
export class RateLimitedLog {
  readonly linesPerInterval: number;
  readonly intervalMs: number;
  private readonly maxKinds: number;
  private readonly kinds = new Map<string, KindState>();

  constructor(
    private readonly logger: Logger,
    options: RateLimitedLogOptions = {},
  ) {
    this.linesPerInterval = options.linesPerInterval ?? 10;
    this.intervalMs = options.intervalMs ?? 5000;
    this.maxKinds = options.maxKinds ?? 64;
    for (const [name, value, min] of [
      ['linesPerInterval', this.linesPerInterval, 1],
      ['intervalMs', this.intervalMs, 1],
      ['maxKinds', this.maxKinds, 1],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < min) {
        throw new RangeError(`RateLimitedLog ${name} must be a whole number >= ${min}, got ${value}`);
      }
    }
  }

  /**
   * Writes the line unless its kind has used up this interval's lines; returns whether it was
   * written. `fields` and `message` go to the logger as they are (bound what came from input with
   * truncateForLog).
   */
  log(kind: string, level: RateLimitedLevel, fields: object | undefined, message: string): boolean {
    const key = this.kinds.has(kind) || this.kinds.size < this.maxKinds - 1 ? kind : 'other';
    const now = Date.now();
    let state = this.kinds.get(key);
    if (state !== undefined && now - state.startedAt >= this.intervalMs) {
      this.endInterval(key, state);
      state = undefined;
    }
    if (state === undefined) {
      state = { startedAt: now, written: 0, suppressed: 0, level, timer: undefined };
      this.kinds.set(key, state);
    }
    if (state.written < this.linesPerInterval) {
      state.written++;
      if (fields === undefined) this.logger[level](message);
      else this.logger[level](fields, message);
      return true;
    }
    state.suppressed++;
    state.level = level;
    if (state.timer === undefined) {
      const ending = state;
      ending.timer = setTimeout(
        () => {
          if (this.kinds.get(key) === ending) this.endInterval(key, ending);
        },
        Math.max(0, ending.startedAt + this.intervalMs - now),
      );
      ending.timer.unref();
    }
    return false;
  }

  /** Writes every pending suppressed count now and starts afresh (e.g. at shutdown). */
  flush(): void {
    for (const [key, state] of [...this.kinds]) this.endInterval(key, state);
  }

  private endInterval(key: string, state: KindState): void {
    clearTimeout(state.timer);
    this.kinds.delete(key);
    if (state.suppressed === 0) return;
    const seconds = this.intervalMs / 1000;
    this.logger[state.level](
      { kind: key, suppressed: state.suppressed, intervalSeconds: seconds },
      `suppressed ${state.suppressed} more "${key}" log lines (at most ${this.linesPerInterval} per ${seconds} s are written)`,
    );
  }
}
