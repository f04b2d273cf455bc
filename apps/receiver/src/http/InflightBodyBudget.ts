// The bytes of request bodies buffered at once, across every connection: slow clients can hold
// many sockets open, and without a bound each one's buffer adds up to the whole heap. Bytes are
// charged as they arrive, never as a client announces them: a request that declares a large
// `content-length` and sends one byte holds one byte, so stalled requests cannot spend the budget
// that signed deliveries need.
//
// A client that does send the bytes can still fill the budget and hold it until the minimum body
// rate cuts it. So a body that does not fit makes room first: bodies that have been arriving for
// longer than `evictAfterMs` are cut, the largest first (the fewest cuts for the room). A webhook
// body arrives in milliseconds; to keep the budget full an attacker must send all of it again
// every `evictAfterMs`.

/** One body's share of the budget. */
export interface BodyHold {
  /** Bytes this body holds. */
  readonly bytes: number;
  /**
   * Charges `bytes` more. When they do not fit, bodies held longer than `evictAfterMs` are cut,
   * largest first, until they do (none when cutting all of them would not make the room); false
   * (nothing charged) when there is no room.
   */
  take(bytes: number): boolean;
  /** Gives back every byte this body holds; it can no longer be cut. Idempotent. */
  release(): void;
}

export interface InflightBodyBudgetOptions {
  /** A body held longer than this may be cut to make room for another (default 1000 ms). */
  evictAfterMs?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

interface Holder {
  startedAt: number;
  bytes: number;
  evict: () => void;
}

/**
 * A byte budget shared by the requests reading their bodies.
 *
 * @example
 * const budget = new InflightBodyBudget(64 * 1024 * 1024);
 * const hold = budget.hold(() => refuse503()); // called if this body is cut to make room
 * req.on('data', (chunk) => { if (!hold.take(chunk.length)) refuse503(); });
 * // once the body is read (or refused): hold.release();
 */
export class InflightBodyBudget {
  readonly limit: number;
  readonly evictAfterMs: number;
  private usedBytes = 0;
  private readonly now: () => number;
  /** In the order they started: the first is the oldest. */
  private readonly holders = new Set<Holder>();

  constructor(limit: number, options: InflightBodyBudgetOptions = {}) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`the in-flight body limit must be a whole number of bytes >= 1, got ${limit}`);
    }
    this.limit = limit;
    this.evictAfterMs = options.evictAfterMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Bytes reserved right now. */
  get used(): number {
    return this.usedBytes;
  }

  /** Reserves `bytes` when they fit under the limit; false (and nothing reserved) when not. Never evicts. */
  tryReserve(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limit) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Gives back what tryReserve() took. */
  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }

  /**
   * Starts one body's share. `evict` is called (at most once) when the body is cut to make room;
   * it must stop reading the body and call release() on the hold.
   */
  hold(evict: () => void): BodyHold {
    const holder: Holder = { startedAt: this.now(), bytes: 0, evict };
    this.holders.add(holder);
    const budget = this;
    return {
      get bytes() {
        return holder.bytes;
      },
      take(bytes) {
        if (!budget.tryReserve(bytes)) {
          budget.makeRoom(bytes, holder);
          if (!budget.tryReserve(bytes)) return false;
        }
        holder.bytes += bytes;
        return true;
      },
      release() {
        budget.forget(holder);
      },
    };
  }

  /** Cuts bodies older than evictAfterMs, largest first, until `bytes` fit; none if they cannot. */
  private makeRoom(bytes: number, asking: Holder): void {
    const cutBefore = this.now() - this.evictAfterMs;
    const candidates: Holder[] = [];
    let available = 0;
    for (const holder of this.holders) {
      // The set is in start order: every holder after this one is younger still.
      if (holder.startedAt > cutBefore) break;
      if (holder !== asking && holder.bytes > 0) {
        candidates.push(holder);
        available += holder.bytes;
      }
    }
    // Cutting bodies that cannot make enough room between them would refuse them for nothing.
    if (this.usedBytes + bytes - available > this.limit) return;
    candidates.sort((a, b) => b.bytes - a.bytes);
    for (const holder of candidates) {
      if (this.usedBytes + bytes <= this.limit) return;
      this.forget(holder);
      holder.evict();
    }
  }

  private forget(holder: Holder): void {
    if (!this.holders.delete(holder)) return;
    this.release(holder.bytes);
    holder.bytes = 0;
  }
}
