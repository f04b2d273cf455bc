// One destination's rows in flight: claimed and being published, or acknowledged and waiting for
// their outcome to be written. The forwarder claims the next page while earlier pages still wait
// for their acks, so the database's round trips overlap the broker's; `size` rows at most are in
// flight (the memory bound). Outcomes are written in batches, one settle at a time: those that
// arrive while a settle runs go in the next one. A row leaves the window only once its outcome is
// written (or its settle failed: its lease then runs out and it is forwarded again).
import type { OutboxItem, OutboxOutcome } from './outbox/ForwardOutbox.js';

export interface ForwardWindowOptions {
  /** Most rows in flight at once. */
  size: number;
  /** Writes a batch of outcomes (ForwardOutbox.settle with the forwarder's owner). */
  settle: (outcomes: readonly OutboxOutcome[]) => Promise<void>;
  /** A settle failed: its rows stay leased until the lease runs out. */
  onSettleError: (error: unknown) => void;
  /** A publish threw instead of answering: the row is left to its lease. */
  onPublishError: (error: unknown, item: OutboxItem) => void;
}

export class ForwardWindow {
  readonly size: number;
  private readonly options: ForwardWindowOptions;
  /** The webhook-ids in flight. */
  private readonly held = new Set<string>();
  private outcomes: OutboxOutcome[] = [];
  private settling = false;
  /** Each returns true once it has resolved its promise. */
  private waiters: ((woken: boolean) => boolean)[] = [];

  constructor(options: ForwardWindowOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError(`a forward window holds at least 1 row, got ${options.size}`);
    this.options = options;
    this.size = options.size;
  }

  /** How many more rows the window takes now. */
  get free(): number {
    return this.size - this.held.size;
  }

  /**
   * Starts publishing a claimed page. A row already in flight here (its lease ran out while it waited
   * for its ack, and this forwarder claimed it again) is not published twice: the copy in flight
   * settles it under the same owner. Returns how many rows it started.
   */
  admit(items: readonly OutboxItem[], publish: (item: OutboxItem) => Promise<OutboxOutcome>): number {
    let started = 0;
    for (const item of items) {
      if (this.held.has(item.webhookId)) continue;
      this.held.add(item.webhookId);
      started += 1;
      publish(item).then(
        (outcome) => {
          this.outcomes.push(outcome);
          this.settleSoon();
        },
        (error: unknown) => {
          this.options.onPublishError(error, item);
          this.release([item.webhookId]);
        },
      );
    }
    return started;
  }

  /** Resolves once at least `rows` rows fit (capped at the size), or at wake(). */
  whenRoom(rows: number): Promise<void> {
    const wanted = Math.min(rows, this.size);
    return this.until(() => this.free >= wanted);
  }

  /** Resolves once nothing is in flight: every publish answered and its outcome written. */
  drained(): Promise<void> {
    return this.until(() => this.held.size === 0, false);
  }

  /** Lets every whenRoom() return now (stop() calls it). */
  wake(): void {
    this.notify(true);
  }

  private until(done: () => boolean, wakeable = true): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push((woken) => {
        if (!done() && !(woken && wakeable)) return false;
        resolve();
        return true;
      });
    });
  }

  private notify(woken = false): void {
    this.waiters = this.waiters.filter((check) => !check(woken));
  }

  private release(webhookIds: readonly string[]): void {
    for (const id of webhookIds) this.held.delete(id);
    this.notify();
  }

  /** Writes the outcomes waiting, batch after batch, until none is left. */
  private settleSoon(): void {
    if (this.settling) return;
    this.settling = true;
    void (async () => {
      // Acks that arrive in the same turn of the event loop go in the same batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.outcomes.length > 0) {
        const batch = this.outcomes;
        this.outcomes = [];
        try {
          await this.options.settle(batch);
        } catch (error) {
          this.options.onSettleError(error);
        }
        this.release(batch.map((o) => o.webhookId));
      }
      this.settling = false;
    })();
  }
}
