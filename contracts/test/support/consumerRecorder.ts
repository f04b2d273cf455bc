// What the consumer tests give an example consumer as its team's code: a handler that records every
// event it handled and fails the first try of chosen ids (so the broker or the receiver must
// deliver them again), a dedupe store that counts the duplicates it caught, and a rejection log.
import type { ConsumedEvent, Rejection } from '../../consumers/ConsumedEvent.js';
import { BoundedSeenIds } from '../../consumers/SeenIds.js';

/** A BoundedSeenIds that also lists every id it answered "seen" for. */
class CountingSeenIds extends BoundedSeenIds {
  readonly hits: string[] = [];

  override async has(id: string): Promise<boolean> {
    const seen = await super.has(id);
    if (seen) this.hits.push(id);
    return seen;
  }
}

export class ConsumerRecorder {
  /** Every event handled, in order (a second entry for an id is a handled duplicate). */
  readonly handled: ConsumedEvent[] = [];
  /** How often the handler was called per id, failed tries included. */
  readonly calls = new Map<string, number>();
  readonly rejected: Rejection[] = [];
  readonly seen = new CountingSeenIds(1000);
  readonly #failFirst: ReadonlySet<string>;

  constructor(failFirst: Iterable<string>) {
    this.#failFirst = new Set(failFirst);
  }

  readonly handle = async (event: ConsumedEvent): Promise<void> => {
    const call = (this.calls.get(event.id) ?? 0) + 1;
    this.calls.set(event.id, call);
    if (call === 1 && this.#failFirst.has(event.id)) throw new Error(`the first try of ${event.id} fails`);
    this.handled.push(event);
  };

  readonly onRejected = (rejection: Rejection): void => {
    this.rejected.push(rejection);
  };

  /** The ids handled, sorted: equal to the ids sent exactly when each was handled once. */
  handledIds(): string[] {
    return this.handled.map((e) => e.id).sort();
  }
}
