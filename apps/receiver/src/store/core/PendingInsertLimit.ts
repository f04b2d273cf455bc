// Bounds a store's queue of deliveries waiting for their commit. While the database is slow the
// HTTP side keeps accepting requests; without a bound their bodies pile up in memory until the
// process dies, taking every acknowledged-but-unanswered request with it.
import { StoreError } from '../../errors.js';

export interface PendingInsertLimits {
  /** Most deliveries waiting (default 10000). */
  maxPending?: number;
  /** Most body bytes waiting (default 64 MiB). */
  maxPendingBytes?: number;
  /**
   * Longest a delivery waits for its commit (default 8000 ms); past it insertDelivery() rejects
   * with `store_unavailable`, so its request is answered 503 while the database hangs.
   */
  insertTimeoutMs?: number;
}

/**
 * Counts the deliveries (and their body bytes) a store holds before they are written.
 *
 * @example
 * const limit = new PendingInsertLimit({ maxPending: 100 });
 * limit.admit(body.length); // throws StoreError('store_overloaded') when full
 * // … once the delivery has been handed to the database:
 * limit.leave(body.length);
 */
export class PendingInsertLimit {
  readonly maxPending: number;
  readonly maxPendingBytes: number;
  private count = 0;
  private bytes = 0;

  constructor(limits: PendingInsertLimits = {}) {
    this.maxPending = limits.maxPending ?? 10_000;
    this.maxPendingBytes = limits.maxPendingBytes ?? 64 * 1024 * 1024;
  }

  /** Takes one delivery of `bodyBytes` into the queue, or throws `store_overloaded` when full. */
  admit(bodyBytes: number): void {
    if (this.count + 1 > this.maxPending || this.bytes + bodyBytes > this.maxPendingBytes) {
      throw new StoreError(
        'store_overloaded',
        `The store has ${this.count} deliveries (${this.bytes} bytes) waiting to be written, its limit ` +
          '(STORE_MAX_PENDING / STORE_MAX_PENDING_BYTES): the database is slower than the incoming traffic; retry later',
      );
    }
    this.count += 1;
    this.bytes += bodyBytes;
  }

  /** Gives back what admit() took, once the delivery has left the queue. */
  leave(bodyBytes: number): void {
    this.count = Math.max(0, this.count - 1);
    this.bytes = Math.max(0, this.bytes - bodyBytes);
  }
}
