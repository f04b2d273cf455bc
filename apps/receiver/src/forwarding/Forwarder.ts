// The forwarder: one loop per destination, so a destination that is down neither holds back nor
// repeats another. Each loop connects first (while its broker is unreachable it waits, claiming
// nothing, so no row's attempts grow during an outage and the backlog drains as soon as the broker
// answers), then claims pages of due outbox rows under a lease and publishes them. Acks are
// awaited and outcomes written in a ForwardWindow, so the next page is claimed while earlier ones
// are in flight; the window's size (the destination's concurrency) bounds the memory a backlog of
// any size takes.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { retryDelayMs } from '../processing/retryDelayMs.js';
import { traceForward } from '../tracing/index.js';
import { type Destination, describeFailure, forwardMessage } from './Destination.js';
import type { ForwardingMetrics } from './ForwardingMetrics.js';
import { ForwardWindow } from './ForwardWindow.js';
import type { ForwardOutbox, OutboxItem, OutboxOutcome } from './outbox/ForwardOutbox.js';

/** Rows whose publishes start in one turn of the event loop (about 1 ms of work). */
const ADMIT_SLICE = 16;

export interface ForwarderOptions {
  outbox: ForwardOutbox;
  destinations: readonly Destination[];
  logger: Logger;
  metrics?: ForwardingMetrics;
  /** Attempts before an (event, destination) is dead-lettered; 0 = never (the default). */
  maxAttempts?: number;
  /** How long a claim is this instance's; longer than a publish and its settle take (default 60 s). */
  leaseMs?: number;
  /** How often an idle loop looks for due rows (default 200 ms). */
  idleMs?: number;
  /** First retry delay of a row; doubles per attempt up to retryMaxMs (default 500 ms). */
  retryBaseMs?: number;
  /** Longest retry delay of a row (default 30 s). */
  retryMaxMs?: number;
  /** Longest wait between connection attempts to an unreachable destination (default 5 s). */
  reconnectMaxMs?: number;
  /** Names this instance's leases (default a random id). */
  owner?: string;
  now?: () => number;
}

/** One destination's health, as /healthz reports it. */
export interface DestinationHealth {
  destination: string;
  up: boolean;
  /** Why it is down (credentials redacted); absent while up. */
  error?: string;
}

export class Forwarder {
  readonly owner: string;
  private readonly options: ForwarderOptions;
  private readonly now: () => number;
  private readonly loops: Promise<void>[] = [];
  private readonly health = new Map<string, DestinationHealth>();
  /** Why each destination that is down is: its connection, or its last publish. */
  private readonly downBecause = new Map<string, 'connect' | 'publish'>();
  private readonly wakers = new Set<() => void>();
  private readonly windows = new Set<ForwardWindow>();
  private stopped = false;

  constructor(options: ForwarderOptions) {
    this.options = options;
    this.owner = options.owner ?? `forwarder-${randomUUID()}`;
    this.now = options.now ?? Date.now;
    for (const d of options.destinations)
      this.health.set(d.name, { destination: d.name, up: false, error: 'not connected yet' });
  }

  start(): void {
    for (const d of this.options.destinations) this.loops.push(this.run(d));
  }

  /** Each destination's health: reachable or not, and why. */
  destinationHealth(): DestinationHealth[] {
    return [...this.health.values()];
  }

  /** Stops claiming, lets the rows in flight finish and settle, and closes the destinations. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    for (const window of this.windows) window.wake();
    await Promise.all(this.loops);
    await Promise.all(this.options.destinations.map((d) => d.close().catch(() => {})));
  }

  private async run(destination: Destination): Promise<void> {
    const { logger } = this.options;
    const window = new ForwardWindow({
      size: destination.concurrency,
      settle: (outcomes) => this.options.outbox.settle(this.owner, outcomes),
      // The rows stay leased until their lease runs out, then are forwarded again: a duplicate the
      // consumer dedupes on the message id, never a loss.
      onSettleError: (error) =>
        logger.warn(
          { err: error, destination: destination.name },
          'forwarding: cannot record outcomes; they will be forwarded again',
        ),
      onPublishError: (error, item) =>
        logger.error(
          { err: error, destination: destination.name, webhookId: item.webhookId },
          'forwarding: a publish failed unexpectedly; it will be forwarded again after its lease',
        ),
    });
    this.windows.add(window);
    let reconnectMs = 250;
    while (!this.stopped) {
      // A destination whose last publish failed gets one page at a time until a publish works;
      // otherwise the next page is claimed as soon as a quarter of the window is free.
      if (this.downBecause.get(destination.name) === 'publish') await window.drained();
      else await window.whenRoom(Math.ceil(window.size / 4));
      if (this.stopped) break;
      try {
        await destination.connect();
        reconnectMs = 250;
        // Connected again; a destination whose last publish failed stays down until one works.
        if (this.downBecause.get(destination.name) !== 'publish') this.markUp(destination);
      } catch (error) {
        this.markDown(destination, describeFailure(error), 'connect');
        await this.sleep(reconnectMs);
        reconnectMs = Math.min(reconnectMs * 2, this.options.reconnectMaxMs ?? 5000);
        continue;
      }
      let page: OutboxItem[];
      const limit = window.free;
      try {
        page = await this.options.outbox.claim(
          destination.name,
          this.owner,
          this.now(),
          this.options.leaseMs ?? 60_000,
          limit,
        );
      } catch (error) {
        logger.warn(
          { err: error, destination: destination.name },
          'forwarding: cannot read the outbox; retrying',
        );
        await this.sleep(this.options.idleMs ?? 200);
        continue;
      }
      const started = await this.admitInSlices(window, page, destination);
      // A short page means the backlog is drained: the next claim waits, so a trickle of new
      // events is claimed in pages, not in a transaction each.
      if (started === 0 || page.length < limit) await this.sleep(this.options.idleMs ?? 200);
    }
    await window.drained();
  }

  /**
   * Starts a page's publishes a slice at a time, letting the event loop answer the deliveries that
   * arrived in between: a page started in one go holds every incoming request for as long as its
   * publishes take to encode and write (about 15 ms for 256 rows). The rest of the page is started
   * even when stop() comes meanwhile: its rows are claimed, so stop() waits for them to settle.
   */
  private async admitInSlices(
    window: ForwardWindow,
    page: OutboxItem[],
    destination: Destination,
  ): Promise<number> {
    const publish = (item: OutboxItem) => this.forward(destination, item);
    let started = 0;
    for (let from = 0; from < page.length; from += ADMIT_SLICE) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      started += window.admit(page.slice(from, from + ADMIT_SLICE), publish);
    }
    return started;
  }

  private async forward(destination: Destination, item: OutboxItem): Promise<OutboxOutcome> {
    const { metrics } = this.options;
    const key = { webhookId: item.webhookId, destination: destination.name };
    const message = forwardMessage(item);
    const result = await traceForward(item, destination.spanAttributes?.(message) ?? {}, (traceparent) =>
      destination.publish(traceparent === undefined ? message : { ...message, traceparent }),
    );
    const label = { destination: destination.name };
    if (result.ok) {
      this.markUp(destination);
      metrics?.forwarded.inc(label);
      if (result.duplicate) metrics?.duplicates.inc(label);
      return { ...key, state: 'forwarded', at: this.now() };
    }
    metrics?.failed.inc(label);
    if (result.stop === true) return { ...key, state: 'stopped', error: result.error };
    if (result.retryAfterMs === undefined) this.markDown(destination, result.error, 'publish');
    const maxAttempts = this.options.maxAttempts ?? 0;
    if (maxAttempts > 0 && item.attempts >= maxAttempts) {
      metrics?.deadLettered.inc(label);
      this.options.logger.error(
        {
          webhookId: item.webhookId,
          destination: destination.name,
          attempts: item.attempts,
          error: result.error,
        },
        'forwarding: dead-lettered after FORWARD_MAX_ATTEMPTS; re-forward with POST /events/{id}/forward',
      );
      return { ...key, state: 'dead', error: result.error };
    }
    const delay =
      result.retryAfterMs ??
      retryDelayMs(item.attempts, this.options.retryBaseMs ?? 500, this.options.retryMaxMs ?? 30_000);
    return { ...key, state: 'pending', error: result.error, nextAttemptAt: this.now() + delay };
  }

  private markUp(destination: Destination): void {
    this.downBecause.delete(destination.name);
    const was = this.health.get(destination.name);
    if (was?.up === true) return;
    this.health.set(destination.name, { destination: destination.name, up: true });
    this.options.metrics?.up.set({ destination: destination.name }, 1);
    this.options.logger.info({ destination: destination.name }, 'forwarding: destination reachable');
  }

  private markDown(destination: Destination, error: string, because: 'connect' | 'publish'): void {
    this.downBecause.set(destination.name, because);
    const was = this.health.get(destination.name);
    this.health.set(destination.name, { destination: destination.name, up: false, error });
    this.options.metrics?.up.set({ destination: destination.name }, 0);
    if (was?.up !== false || was.error !== error) {
      this.options.logger.warn(
        { destination: destination.name, error },
        'forwarding: destination unreachable; retrying',
      );
    }
  }

  /** Waits `ms`, or less when stop() is called. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
