// Rows this store inserted already leased to itself, kept in memory with their bytes and validated
// event, so its processor claims them without a claim statement and without reading them back.
//
// Once a worker has claimed through the store (so a processor is attached, and its lease length is
// known), the insert writes each new `received` row with claimed_by = the store's owner id, a lease
// timed by the database's clock and its first attempt counted: to every other instance the row is
// claimed, exactly as if this store's processor had claimed it right after the commit. claimDue()
// hands these rows to the calling worker from memory; their settlement is written only while the
// store's owner id still holds the row with that first attempt. A row not handed out in time (a
// backlog longer than half a lease) is dropped here and its lease runs out: any instance's claim
// takes it then, as it takes the rows of an instance that died. close() gives back the leases of
// the rows never handed out, so a restart does not wait for them.
import type { KnownEvent } from '@webhook-contracts/schema';
import type { ClaimedEvent } from '../core/Store.js';

/** A row the insert leased to this store, not yet handed to a worker. */
interface FreshRow {
  type: string | null;
  body: Buffer;
  event: KnownEvent | undefined;
  traceparent: string | undefined;
  dueAt: number;
  /** Local clock when the insert committed. */
  leasedAt: number;
}

/** A fresh row handed to a worker: its settlement goes through the store's owner id. */
interface Handout {
  workerId: string;
  leasedAt: number;
}

/** Most rows kept in memory (waiting and handed out); beyond it new rows are inserted unleased. */
const maxFresh = 2000;

/** The attempt count a fresh row is inserted with (its lease is its first claim). */
export const freshAttempts = 1;

export class PostgresFreshClaims {
  /** The lease holder written into fresh rows: no worker's id, so no claim elsewhere mistakes it. */
  readonly owner: string;
  /** The lease length of the processor's claims; undefined until a worker claims (none leased before). */
  leaseMs: number | undefined;
  private readonly waiting = new Map<string, FreshRow>();
  private readonly handedOut = new Map<string, Handout>();

  constructor(owner: string) {
    this.owner = owner;
  }

  /** How many more rows inserts may lease to this store now (0 until a worker has claimed). */
  room(): number {
    if (this.leaseMs === undefined) return 0;
    return Math.max(0, maxFresh - this.waiting.size - this.handedOut.size);
  }

  /** A row the insert created leased to this store (committed). */
  add(
    webhookId: string,
    row: { type: string | null; body: Buffer; event?: KnownEvent; traceparent?: string; dueAt: number },
    leasedAt: number,
  ): void {
    this.waiting.set(webhookId, {
      type: row.type,
      body: row.body,
      event: row.event,
      traceparent: row.traceparent,
      dueAt: row.dueAt,
      leasedAt,
    });
  }

  /**
   * Hands up to `limit` due waiting rows to `workerId`. Rows older than half a lease are dropped
   * instead (the database takes them once their lease runs out), and so are handouts never settled
   * within two leases.
   */
  take(workerId: string, now: number, localNow: number, limit: number): ClaimedEvent[] {
    const leaseMs = this.leaseMs ?? 0;
    for (const [webhookId, h] of this.handedOut)
      if (localNow - h.leasedAt > 2 * leaseMs) this.handedOut.delete(webhookId);
    const claimed: ClaimedEvent[] = [];
    for (const [webhookId, row] of this.waiting) {
      if (claimed.length >= limit) break;
      if (localNow - row.leasedAt > leaseMs / 2) {
        this.waiting.delete(webhookId);
        continue;
      }
      if (row.dueAt > now) continue;
      this.waiting.delete(webhookId);
      this.handedOut.set(webhookId, { workerId, leasedAt: row.leasedAt });
      claimed.push({
        webhookId,
        type: row.type,
        body: row.body,
        ...(row.event === undefined ? {} : { event: row.event }),
        ...(row.traceparent === undefined ? {} : { traceparent: row.traceparent }),
        attempts: freshAttempts,
        claimedBy: workerId,
        leaseUntil: row.leasedAt + leaseMs,
      });
    }
    return claimed;
  }

  /**
   * The owner a settlement by `workerId` must find on the row: the store's for a fresh row this
   * worker was handed (with its first attempt), else the worker's own.
   */
  holderFor(webhookId: string, workerId: string, attempts: number | undefined): string {
    const h = this.handedOut.get(webhookId);
    if (h === undefined || h.workerId !== workerId) return workerId;
    return attempts === undefined || attempts === freshAttempts ? this.owner : workerId;
  }

  /** `workerId`'s settlement of these rows was written (or refused): they are no longer its. */
  settled(webhookIds: readonly string[], workerId: string): void {
    for (const id of webhookIds) if (this.handedOut.get(id)?.workerId === workerId) this.handedOut.delete(id);
  }

  /** The event was requeued: any copy here is void. */
  forget(webhookId: string): void {
    this.waiting.delete(webhookId);
    this.handedOut.delete(webhookId);
  }

  /** The rows never handed out; forgotten here (their leases are given back by the caller). */
  drainWaiting(): string[] {
    const ids = [...this.waiting.keys()];
    this.waiting.clear();
    return ids;
  }
}
