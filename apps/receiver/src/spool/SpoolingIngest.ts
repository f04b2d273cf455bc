// Store first, spool second: the delivery path's insert when a spool is configured. A delivery
// goes to the store as always; when the store has not committed it within `spoolAfterMs`, or
// fails for its own sake (unreachable, overloaded), the delivery is appended to the spool and
// answered as stored. A delivery the database refuses for its data (422) is never spooled: it
// would be refused again at drain time.
//
// A store attempt that timed out may still commit later: then its spooled record is marked as
// stored, so the drainer skips it. If it commits after the drainer's copy (or the process dies in
// between), the store's upsert by webhook-id keeps one row: a duplicate, processed once.
import { StoreError } from '../errors.js';
import type { InsertOutcome, NewDelivery, Store } from '../store/core/Store.js';
import { type Spool, SpoolFullError } from './Spool.js';
import type { SpoolMetrics } from './SpoolMetrics.js';

export interface SpoolingIngestOptions {
  store: Pick<Store, 'insertDelivery'>;
  spool: Spool;
  /** How long a delivery waits for the store before it is spooled. */
  spoolAfterMs: number;
  metrics?: SpoolMetrics;
}

type FirstResult =
  | { kind: 'stored'; outcome: InsertOutcome }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timeout' };

/** The store's own failures, after which the delivery may still be kept: spooled. */
function storeCouldNotTakeIt(error: unknown): boolean {
  return (
    error instanceof StoreError && (error.code === 'store_unavailable' || error.code === 'store_overloaded')
  );
}

/**
 * insertDelivery with the spool behind the store.
 *
 * @example
 * const ingest = new SpoolingIngest({ store, spool, spoolAfterMs: 3000 });
 * createWebhookHandler({ secret, store, ingest });
 */
export class SpoolingIngest implements Pick<Store, 'insertDelivery'> {
  private readonly store: Pick<Store, 'insertDelivery'>;
  private readonly spool: Spool;
  private readonly spoolAfterMs: number;
  private readonly metrics: SpoolMetrics | undefined;

  constructor(options: SpoolingIngestOptions) {
    if (!Number.isSafeInteger(options.spoolAfterMs) || options.spoolAfterMs < 1) {
      throw new RangeError(`spoolAfterMs must be a whole number of ms >= 1, got ${options.spoolAfterMs}`);
    }
    this.store = options.store;
    this.spool = options.spool;
    this.spoolAfterMs = options.spoolAfterMs;
    this.metrics = options.metrics;
  }

  async insertDelivery(delivery: NewDelivery): Promise<InsertOutcome> {
    // A copy of a delivery still in the spool is a duplicate already: no need to wait on the store.
    const spooled = await this.spool.find(delivery.webhookId);
    if (spooled !== undefined && !spooled.done) {
      spooled.copies++;
      return { inserted: false, status: delivery.status, deliveriesSeen: spooled.copies };
    }
    const attempt = this.store.insertDelivery(delivery);
    const first = await this.firstOf(attempt);
    if (first.kind === 'stored') return first.outcome;
    if (first.kind === 'failed' && !storeCouldNotTakeIt(first.error)) throw first.error;
    let appended: Awaited<ReturnType<Spool['append']>>;
    try {
      appended = await this.spool.append(delivery);
    } catch (error) {
      this.metrics?.refused.inc({ reason: error instanceof SpoolFullError ? 'full' : 'write_failed' });
      throw new StoreError(
        'store_unavailable',
        error instanceof SpoolFullError
          ? `The store cannot take the delivery and ${error.message}`
          : `The store cannot take the delivery and the spool could not write it (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (first.kind === 'timeout') {
      const { entry } = appended;
      attempt.then(
        () => this.spool.stored(entry).catch(() => {}),
        () => {},
      );
    }
    if (!appended.duplicate) this.metrics?.spooled.inc();
    return { inserted: !appended.duplicate, status: delivery.status, deliveriesSeen: appended.entry.copies };
  }

  private firstOf(attempt: Promise<InsertOutcome>): Promise<FirstResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), this.spoolAfterMs);
      attempt.then(
        (outcome) => {
          clearTimeout(timer);
          resolve({ kind: 'stored', outcome });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ kind: 'failed', error });
        },
      );
    });
  }
}
