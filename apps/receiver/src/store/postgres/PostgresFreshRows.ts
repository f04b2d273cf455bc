// Rows this instance inserts already leased to itself, so that the processor of this process takes
// them from memory instead of claiming them back from the database: per event, one statement, one
// commit and one row version fewer, and the processor reuses the event the HTTP layer validated.
//
// - While a worker of this process claims from the store (a claim within the last half lease), each
//   new `received` row is written leased to `holder`, its first attempt counted, as a claim would.
//   At most maxRows rows and maxBytes of bodies wait here; past that, rows are written unleased and
//   claimed from the table as before.
// - take() hands due rows to the claiming worker and remembers which worker has each, so only that
//   worker can settle it (settleHolder). A row not handed out before half its lease has run is
//   released (its lease cleared and its attempt uncounted) and claimed from the table instead.
// - close() releases the rows nobody took. After a crash their leases run out, and any instance
//   claims them then, as it would a dead worker's claims; so does a leased row whose insert
//   committed but whose answer was lost (a client-side timeout).
// - Each instance processes the rows it creates; another takes part only in what is left over (rows
//   past the memory bound, released or expired ones).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KnownEvent } from '@webhook-contracts/schema';
import type { ClaimedEvent, NewDelivery } from '../core/Store.js';

/** The clock a lease is timed by: see PostgresStoreOptions.leaseClock. */
export type LeaseClock = 'database' | 'caller';

interface FreshRow {
  type: string | null;
  body: Buffer;
  event: KnownEvent | undefined;
  traceparent: string | undefined;
  /** When it is due, in the caller's clock (its receivedAt). */
  dueAt: number;
  /** Handed out only before this: the caller's clock (caller leases) or performance.now(). */
  handOutBefore: number;
  /** The lease's end as written (ms since the epoch, in the clock leases are timed by). */
  leaseUntil: number;
}

interface HandedOut {
  workerId: string;
  /** performance.now() when it was handed out. */
  at: number;
}

export interface FreshRowLimits {
  /** Most rows waiting in memory (default 1000). */
  maxRows?: number;
  /** Most body bytes waiting in memory (default 8 MiB). */
  maxBytes?: number;
}

export class PostgresFreshRows {
  /**
   * Written to claimed_by of the rows leased at insert: this store object's own id, named like a
   * processor's worker id (host, process, random) so an operator sees which instance holds them.
   */
  readonly holder = `${hostname()}:${process.pid}:store-${randomUUID().slice(0, 8)}`;
  private readonly rows = new Map<string, FreshRow>();
  private readonly handedOut = new Map<string, HandedOut>();
  private bytes = 0;
  /** performance.now() until which new rows are leased at insert; a claim moves it on. */
  private activeUntil = Number.NEGATIVE_INFINITY;
  private leaseMs = 0;
  private readonly maxRows: number;
  private readonly maxBytes: number;

  constructor(
    private readonly clock: LeaseClock,
    limits: FreshRowLimits = {},
  ) {
    this.maxRows = limits.maxRows ?? 1000;
    this.maxBytes = limits.maxBytes ?? 8 * 1024 * 1024;
  }

  /** A worker of this process claims with this lease: rows inserted from now on are leased at insert. */
  claiming(leaseMs: number): void {
    this.leaseMs = leaseMs;
    this.activeUntil = performance.now() + leaseMs / 2;
    // A settlement that never came (its worker stopped) leaves its entry; drop it once the lease is
    // long gone, when the row is someone else's claim or claimable again anyway.
    const staleBefore = performance.now() - 2 * leaseMs;
    for (const [webhookId, out] of this.handedOut) if (out.at < staleBefore) this.handedOut.delete(webhookId);
  }

  /**
   * Which of `deliveries` an insert about to be sent leases to `holder` (true where it does), and
   * the lease's length; none while no worker of this process claims or when memory is full.
   */
  plan(deliveries: readonly NewDelivery[]): { leased: boolean[]; leaseMs: number } {
    const active = performance.now() < this.activeUntil;
    let rows = this.rows.size;
    let bytes = this.bytes;
    const leased = deliveries.map((d) => {
      if (!active || d.status !== 'received' || this.rows.has(d.webhookId)) return false;
      if (rows >= this.maxRows || bytes + d.body.length > this.maxBytes) return false;
      rows++;
      bytes += d.body.length;
      return true;
    });
    return { leased, leaseMs: this.leaseMs };
  }

  /**
   * A row created leased until `leaseUntil` (as written) by an insert sent at `sentAt`
   * (performance.now()) and planned by plan().
   */
  created(d: NewDelivery, leaseUntil: number, leaseMs: number, sentAt: number): void {
    const handOutBefore = (this.clock === 'caller' ? d.receivedAt : sentAt) + leaseMs / 2;
    this.rows.set(d.webhookId, {
      type: d.type,
      body: d.body,
      event: d.event,
      traceparent: d.traceparent,
      dueAt: d.receivedAt,
      handOutBefore,
      leaseUntil,
    });
    this.bytes += d.body.length;
  }

  /**
   * Up to `limit` due rows for `workerId`, oldest first, and the ids whose hand-out time ran out
   * (the caller releases those; they are forgotten here).
   */
  take(workerId: string, now: number, limit: number): { claimed: ClaimedEvent[]; expired: string[] } {
    const claimed: ClaimedEvent[] = [];
    const expired: string[] = [];
    const at = performance.now();
    const clockNow = this.clock === 'caller' ? now : at;
    for (const [webhookId, row] of this.rows) {
      if (row.handOutBefore <= clockNow) {
        this.forget(webhookId, row);
        expired.push(webhookId);
        continue;
      }
      if (claimed.length >= limit || row.dueAt > now) continue;
      this.forget(webhookId, row);
      this.handedOut.set(webhookId, { workerId, at });
      claimed.push({
        webhookId,
        type: row.type,
        body: row.body,
        ...(row.event === undefined ? {} : { event: row.event }),
        ...(row.traceparent === undefined ? {} : { traceparent: row.traceparent }),
        attempts: 1,
        claimedBy: workerId,
        leaseUntil: row.leaseUntil,
      });
    }
    return { claimed, expired };
  }

  /**
   * The claimed_by a settlement of `webhookId` by `workerId` must find: `holder` for a row handed
   * to that worker from here, the worker's own id otherwise.
   */
  settleHolder(webhookId: string, workerId: string): string {
    return this.handedOut.get(webhookId)?.workerId === workerId ? this.holder : workerId;
  }

  /** Rows handed out here whose settlement committed (or found the lease lost): nothing more to settle. */
  settled(webhookIds: readonly string[]): void {
    for (const webhookId of webhookIds) this.handedOut.delete(webhookId);
  }

  /** Every row still waiting, forgotten here: the caller releases them (closing). */
  drain(): string[] {
    const ids = [...this.rows.keys()];
    this.rows.clear();
    this.bytes = 0;
    this.activeUntil = Number.NEGATIVE_INFINITY;
    return ids;
  }

  get size(): number {
    return this.rows.size;
  }

  private forget(webhookId: string, row: FreshRow): void {
    this.rows.delete(webhookId);
    this.bytes -= row.body.length;
  }
}
