// The in-process worker: claims due events from the store's inbox (lease-based, so several
// instances on one database never process an event twice), runs the handler, and settles the event
// and the handler's effects in one transaction. Woken when new rows commit; also polls, which picks
// up retries, expired leases of a dead instance, and events left from before a restart.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KnownEvent } from '@webhook-contracts/schema';
import { parsePayload } from '@webhook-contracts/webhooks';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { ReceiverMetrics } from '../ReceiverMetrics.js';
import type { ClaimedEvent, SettleItem, Settlement, Store } from '../store/core/Store.js';
import { traceProcessing } from '../tracing/index.js';
import { defaultHandlers, type EventHandler, type EventHandlers } from './EventHandlers.js';
import { retryDelayMs } from './retryDelayMs.js';

export interface ProcessorOptions {
  store: Store;
  /** Default: the lesson-progress handler for course_lesson_interaction.completed. */
  handlers?: EventHandlers;
  logger?: Logger;
  metrics?: ReceiverMetrics;
  /** Unique per instance; default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  /** How long a claim is exclusive (default 30 s); a dead instance's events are retried after it. */
  leaseMs?: number;
  /** How often to look for due work when nobody wakes the worker (default 1000 ms). */
  pollIntervalMs?: number;
  /** Attempts before an event stays `failed` (default 5). */
  maxAttempts?: number;
  /** First retry delay (default 1000 ms), doubled per attempt up to retryMaxMs (default 5 min). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Events claimed (and settled in one transaction) per round (default 100). */
  batchSize?: number;
  /**
   * After a wake, wait this long before claiming (default 10 ms) so a burst of new rows is claimed
   * and settled in one batch instead of one transaction per event. The same wait follows a batch
   * shorter than batchSize when new rows were announced during it.
   */
  wakeCoalesceMs?: number;
  /** How long stop() keeps draining due events before giving up (default 10 s). */
  drainTimeoutMs?: number;
  now?: () => number;
}

/**
 * @example
 * const processor = new Processor({ store, logger });
 * processor.start();
 * processor.wake(); // after a new row commits
 * await processor.stop(); // drains due work first
 */
export class Processor {
  readonly workerId: string;
  private readonly store: Store;
  private readonly handlers: EventHandlers;
  private readonly logger: Logger;
  private readonly metrics: ReceiverMetrics | undefined;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly batchSize: number;
  private readonly drainTimeoutMs: number;
  private readonly wakeCoalesceMs: number;
  private readonly now: () => number;

  private running = false;
  private stopping = false;
  private stopDeadline = 0;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  /** Ends gather()'s wait, while it waits. */
  private endGathering: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;

  constructor(options: ProcessorOptions) {
    this.store = options.store;
    // Your handlers join the read models' (and replace them only for a type they name).
    this.handlers = { ...defaultHandlers, ...options.handlers };
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
    this.batchSize = options.batchSize ?? 100;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.wakeCoalesceMs = options.wakeCoalesceMs ?? 10;
    this.now = options.now ?? Date.now;
  }

  /** Starts the worker loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Asks the worker to look for due work now (cheap; call after each new row commits). */
  wake(): void {
    this.wakeRequested = true;
    const wake = this.wakeUp;
    if (wake === undefined) return;
    this.wakeUp = undefined;
    if (this.stopping || this.wakeCoalesceMs <= 0) wake();
    else setTimeout(wake, this.wakeCoalesceMs);
  }

  /** Finishes the event in hand, keeps processing due events for up to drainTimeoutMs, then stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.stopDeadline = this.now() + this.drainTimeoutMs;
    this.endGathering?.();
    this.wake();
    await this.loopDone;
    this.running = false;
  }

  private async loop(): Promise<void> {
    while (true) {
      if (this.stopping && this.now() >= this.stopDeadline) break;
      this.wakeRequested = false;
      let claimed: ClaimedEvent[] = [];
      try {
        claimed = await this.store.claimDue(
          this.workerId,
          this.now(),
          this.leaseMs,
          this.batchSize,
          this.maxAttempts,
        );
      } catch (error) {
        this.logger.error(
          { err: error },
          'could not claim events from the store; retrying after the poll interval',
        );
      }
      if (claimed.length > 0) {
        await this.processBatch(claimed);
        // A short batch took all that was due: let the rows that arrive meanwhile gather, as after
        // a wake-up, instead of claiming the few that came during this round at once. Under a steady
        // flow that keeps rounds (a claim and a settlement, a write each) few and full.
        if (claimed.length < this.batchSize && !this.stopping) await this.gather();
        continue;
      }
      if (this.stopping) break;
      await this.idle();
    }
  }

  /**
   * After a short batch: when rows were announced meanwhile, waits wakeCoalesceMs for more (only
   * stop() ends the wait early); otherwise idles until a wake-up or the poll.
   */
  private gather(): Promise<void> {
    if (!this.wakeRequested || this.wakeCoalesceMs <= 0) return this.idle();
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endGathering = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.wakeCoalesceMs);
      this.endGathering = end;
    });
  }

  private idle(): Promise<void> {
    if (this.wakeRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, this.pollIntervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async processBatch(claims: readonly ClaimedEvent[]): Promise<void> {
    const items: SettleItem[] = [];
    for (const claim of claims) {
      if (this.stopping && this.now() >= this.stopDeadline) break;
      items.push({
        webhookId: claim.webhookId,
        // One `webhook process` span per attempt, in the delivery's trace (tracing/processSpan).
        settlement: await traceProcessing(claim, () => this.decide(claim)),
        attempts: claim.attempts,
      });
    }
    if (items.length === 0) return;
    // What each event was settled as (undefined where the lease was lost), to report it truly.
    let written: (Settlement | undefined)[] | undefined;
    if (this.store.settleMany !== undefined && items.length > 1) {
      try {
        // One transaction (one fsync) for the whole batch keeps processing from starving ingestion.
        const settled = await this.store.settleMany(this.workerId, items, this.now());
        written = items.map((item, i) => (settled[i] === true ? item.settlement : undefined));
      } catch (error) {
        this.logger.warn({ err: error }, 'batch settlement failed; settling events one by one');
      }
    }
    if (written === undefined) {
      written = [];
      for (const [i, item] of items.entries())
        written.push(await this.settleAlone(claims[i]!, item.settlement));
    }
    for (const [i, settlement] of written.entries()) this.report(claims[i]!, settlement);
  }

  private async settleAlone(claim: ClaimedEvent, settlement: Settlement): Promise<Settlement | undefined> {
    try {
      const settled = await this.store.settle(
        claim.webhookId,
        this.workerId,
        settlement,
        this.now(),
        claim.attempts,
      );
      return settled ? settlement : undefined;
    } catch (error) {
      // The settlement (with the handler's effects) did not commit: record the failure if we still
      // can; otherwise the lease expires and the event is claimed again.
      this.metrics?.processingFailures.inc();
      this.logger.error({ err: error, webhookId: claim.webhookId }, 'could not settle event');
      if (settlement.status === 'failed') return undefined;
      const failure = this.failure(claim, errorMessage(error));
      return this.store.settle(claim.webhookId, this.workerId, failure, this.now(), claim.attempts).then(
        (settled) => (settled ? failure : undefined),
        () => undefined,
      );
    }
  }

  private report(claim: ClaimedEvent, settlement: Settlement | undefined): void {
    if (settlement === undefined) {
      this.logger.warn(
        { webhookId: claim.webhookId },
        'lost the lease before settling; another worker owns the event now',
      );
      return;
    }
    this.metrics?.countSettled(settlement.status);
    if (settlement.status === 'failed') {
      this.logger.warn(
        { webhookId: claim.webhookId, attempts: claim.attempts, error: settlement.error },
        settlement.nextAttemptAt === null ? 'event failed for the last time' : 'event failed; will retry',
      );
    } else {
      this.logger.debug({ webhookId: claim.webhookId, status: settlement.status }, 'event settled');
    }
  }

  private async decide(claim: ClaimedEvent): Promise<Settlement> {
    // A fresh row comes with the event the HTTP layer already verified, parsed and validated; a row
    // read back from the database (a restart, a retry, a replay) has only its bytes.
    if (claim.event !== undefined) return this.handle(claim, claim.event);
    const parsed = parsePayload(claim.body);
    switch (parsed.kind) {
      case 'event':
        return this.handle(claim, parsed.event);
      case 'unknown_event':
        return { status: 'unhandled' };
      case 'invalid_json':
        return { status: 'quarantined', errors: parsed.errors };
      case 'invalid':
        return { status: 'quarantined', errors: parsed.errors, errorCount: parsed.errorCount };
    }
  }

  /** Runs the event's handler, if its type has one. */
  private async handle(claim: ClaimedEvent, event: KnownEvent): Promise<Settlement> {
    const handler = this.handlers[event.type] as EventHandler | undefined;
    if (handler === undefined) return { status: 'unhandled' };
    this.metrics?.countHandlerInvocation(event.type);
    try {
      return { status: 'processed', effects: await handler(event) };
    } catch (error) {
      this.metrics?.processingFailures.inc();
      return this.failure(claim, errorMessage(error));
    }
  }

  private failure(claim: ClaimedEvent, error: string): Settlement {
    const last = claim.attempts >= this.maxAttempts;
    return {
      status: 'failed',
      error,
      nextAttemptAt: last
        ? null
        : this.now() + retryDelayMs(claim.attempts, this.retryBaseMs, this.retryMaxMs),
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
