// Moves spooled deliveries into the store: oldest first, a batch at a time, through the store's
// normal insertDelivery (so the outbox rows and the processing of a drained event are those of
// any delivery; a webhook-id the store already holds comes back as a duplicate and is processed
// no second time). A record leaves the spool only after its insert committed. While the store
// fails, the drainer backs off (doubling up to maxBackoffMs); one drainer per spool.
import { StoreError } from '../errors.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import type { Store } from '../store/core/Store.js';
import type { Spool, SpoolEntry } from './Spool.js';
import type { SpoolMetrics } from './SpoolMetrics.js';

export interface SpoolDrainerOptions {
  spool: Spool;
  store: Pick<Store, 'insertDelivery'>;
  /** Records per batch (default 200, at most 10 000). */
  batchSize?: number;
  /** First wait after a failed batch (default 250 ms); doubled per failure up to maxBackoffMs. */
  minBackoffMs?: number;
  /** Default 5000 ms. */
  maxBackoffMs?: number;
  /** Longest wait for new records while the spool is empty (default 1000 ms). */
  idleMs?: number;
  /** Told after a batch inserted new events (the Processor's wake). */
  onDrained?: () => void;
  logger?: Logger;
  metrics?: SpoolMetrics;
}

/**
 * @example
 * const drainer = new SpoolDrainer({ spool, store, onDrained: () => processor.wake() });
 * drainer.start();
 * // on shutdown: await drainer.stop();
 */
export class SpoolDrainer {
  private readonly spool: Spool;
  private readonly store: Pick<Store, 'insertDelivery'>;
  private readonly batchSize: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly idleMs: number;
  private readonly onDrained: () => void;
  private readonly logger: Logger;
  private readonly metrics: SpoolMetrics | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private removeListener: (() => void) | undefined;
  /** Inserted or duplicate, since start. */
  drained = 0;

  constructor(options: SpoolDrainerOptions) {
    this.spool = options.spool;
    this.store = options.store;
    this.batchSize = options.batchSize ?? 200;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10_000) {
      throw new RangeError(`the drain batch size must be 1 to 10000, got ${this.batchSize}`);
    }
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.idleMs = options.idleMs ?? 1000;
    this.onDrained = options.onDrained ?? (() => {});
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics;
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopped = false;
    this.removeListener = this.spool.onAppend(() => this.wake?.());
    this.running = this.loop();
  }

  /** Finishes the batch in flight (its records stay spooled if it does not commit) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    this.removeListener?.();
  }

  private async loop(): Promise<void> {
    let backoffMs = 0;
    let failingSince: number | undefined;
    while (!this.stopped) {
      if (backoffMs > 0) await this.sleep(backoffMs, false);
      else if (this.spool.depth === 0) await this.sleep(this.idleMs, true);
      if (this.stopped) break;
      if (this.spool.depth === 0) {
        backoffMs = 0;
        continue;
      }
      let failed: number;
      try {
        failed = await this.drainBatch();
      } catch (error) {
        this.logger.error({ err: error }, 'spool drain: could not read or advance the spool');
        failed = 1;
      }
      if (failed === 0) {
        if (failingSince !== undefined) {
          this.logger.info({ depth: this.spool.depth }, 'spool drain: the store takes deliveries again');
          failingSince = undefined;
        }
        backoffMs = 0;
        continue;
      }
      if (failingSince === undefined) {
        failingSince = Date.now();
        this.logger.warn(
          { depth: this.spool.depth },
          'spool drain: the store does not take deliveries; backing off',
        );
      }
      backoffMs = Math.min(this.maxBackoffMs, Math.max(this.minBackoffMs, backoffMs * 2));
    }
  }

  /** One batch: resolves with how many records stay spooled because the store failed them. */
  private async drainBatch(): Promise<number> {
    const batch = await this.spool.next(this.batchSize, (entry, reason) => {
      this.metrics?.drained.inc({ result: 'lost' });
      this.logger.error(
        { webhookId: entry.webhookId, segment: entry.segment, offset: entry.offset, reason },
        'spool drain: a spooled record no longer reads back whole; it is lost',
      );
    });
    if (batch.length === 0) return 0;
    const results = await Promise.allSettled(batch.map((r) => this.store.insertDelivery(r.delivery)));
    const committed: SpoolEntry[] = [];
    let failed = 0;
    let inserted = 0;
    let lastError: unknown;
    for (const [i, result] of results.entries()) {
      const { entry } = batch[i]!;
      if (result.status === 'fulfilled') {
        committed.push(entry);
        if (result.value.inserted) inserted++;
        this.metrics?.drained.inc({ result: result.value.inserted ? 'inserted' : 'duplicate' });
      } else if (result.reason instanceof StoreError && result.reason.code === 'unstorable_delivery') {
        // The database refuses this delivery whatever the load: keeping it would block the spool.
        committed.push(entry);
        this.metrics?.drained.inc({ result: 'lost' });
        this.logger.error(
          { err: result.reason, webhookId: entry.webhookId },
          'spool drain: the store refuses a spooled delivery for its data; it is dropped',
        );
      } else {
        failed++;
        lastError = result.reason;
      }
    }
    if (committed.length > 0) {
      await this.spool.commit(committed);
      this.drained += committed.length;
      if (inserted > 0) this.onDrained();
      this.logger.info(
        { drained: committed.length, inserted, depth: this.spool.depth, bytes: this.spool.bytes },
        'spool drain: batch moved into the store',
      );
    }
    if (failed > 0) this.logger.debug({ err: lastError, failed }, 'spool drain: batch not committed');
    return failed;
  }

  /** Waits `ms`; stop() ends the wait, and so does an append when `wakeOnAppend`. */
  private sleep(ms: number, wakeOnAppend: boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.wake = () => {
        if (wakeOnAppend || this.stopped) finish();
      };
    });
  }
}
