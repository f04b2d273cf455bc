// Where a consumer remembers the message ids it has handled. Delivery is at least once: a broker
// redelivers what was not acknowledged in time, and the receiver forwards again after a crash or
// on request, always with the same id (the webhook-id), so the id is what a consumer dedupes on.

/** The ids a consumer has handled. */
export interface SeenIds {
  has(id: string): Promise<boolean>;
  add(id: string): Promise<void>;
}

/**
 * The example's store: the last `limit` ids, in memory, oldest forgotten first. It forgets on
 * restart, so production uses a durable store keyed by the message id (a table with a unique key,
 * Redis `SET NX` with an expiry) whose TTL outlasts the redelivery horizon: the broker's ack wait
 * times its redeliveries, plus the longest a receiver may take to forward an event again. Record
 * the id in the same transaction as the handler's effects when they share a database; otherwise a
 * crash between the two handles the event again, so handlers stay idempotent.
 *
 * @example
 * const seen = new BoundedSeenIds(100_000);
 * if (!(await seen.has(id))) { await handle(event); await seen.add(id); }
 */
export class BoundedSeenIds implements SeenIds {
  readonly #ids = new Set<string>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000_000) {
      throw new RangeError(`limit must be an integer from 1 to 10000000, got ${limit}`);
    }
    this.#limit = limit;
  }

  async has(id: string): Promise<boolean> {
    return this.#ids.has(id);
  }

  async add(id: string): Promise<void> {
    this.#ids.add(id);
    // A Set iterates in insertion order: its first id is the oldest.
    if (this.#ids.size > this.#limit) this.#ids.delete(this.#ids.values().next().value as string);
  }
}
