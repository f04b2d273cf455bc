// The bytes of request bodies buffered at once, across every connection: slow clients can hold
// many sockets open, and without a bound each one's buffer adds up to the whole heap. Bytes are
// charged as they arrive, never as a client announces them: a request that declares a large
// `content-length` and sends one byte holds one byte, so stalled requests cannot spend the budget
// that signed deliveries need.

/**
 * A byte budget shared by the requests reading their bodies.
 *
 * @example
 * const budget = new InflightBodyBudget(64 * 1024 * 1024);
 * req.on('data', (chunk) => { if (!budget.tryReserve(chunk.length)) refuse503(); else held += chunk.length; });
 * // once the body is read (or refused): budget.release(held);
 */
export class InflightBodyBudget {
  readonly limit: number;
  private usedBytes = 0;

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`the in-flight body limit must be a whole number of bytes >= 1, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Bytes reserved right now. */
  get used(): number {
    return this.usedBytes;
  }

  /** Reserves `bytes` when they fit under the limit; false (and nothing reserved) when not. */
  tryReserve(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limit) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Gives back what tryReserve() took. */
  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}
