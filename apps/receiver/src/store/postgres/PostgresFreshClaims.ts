// Rows this store inserted already leased to itself, kept in memory with their bytes and validated
// event, so its processor claims them without a claim statement and without reading them back.
//
// Once a worker has claimed through the store (so a processor is attached, and its lease length is
// known), the insert writes each new `received` row with claimed_by = that worker's id, a lease
// timed by the database's clock and its first attempt counted: to every other instance the row is
// claimed, exactly as if the worker had claimed it right after the commit. claimDue() hands these
// rows out from memory; their settlement is written only while the worker id written into the row
// still holds it with that first attempt. A row not handed out in time (a
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
  /** The worker id the insert wrote as the row's holder. */
  owner: string;
}

/** A fresh row handed to a worker: its settlement must find the row's owner holding it. */
interface Handout {
  workerId: string;
  leasedAt: number;
  owner: string;
}

/** Most rows kept in memory (waiting and handed out); beyond it new rows are inserted unleased. */
const maxFresh = 2000;

/** The attempt count a fresh row is inserted with (its lease is its first claim). */
export const freshAttempts = 1;

export class PostgresFreshClaims {
  /** The worker that claimed last: new rows are leased to it. Undefined until a worker claims. */
  owner: string | undefined;
  /** The lease length of that worker's claims. */
  leaseMs: number | undefined;
  private readonly waiting = new Map<string, FreshRow>();
  private readonly handedOut = new Map<string, Handout>();

  /** A worker claims with this lease: rows created from now on are leased to it. */
  claimedBy(workerId: string, leaseMs: number): void {
    this.owner = workerId;
    this.leaseMs = leaseMs;
  }

  /** How many more rows inserts may lease to this store now (0 until a worker has claimed). */
  room(): number {
    if (this.owner === undefined) return 0;
    return Math.max(0, maxFresh - this.waiting.size - this.handedOut.size);
  }

  /** A row the insert created leased to `owner` (committed). */
  add(
    webhookId: string,
    row: { type: string | null; body: Buffer; event?: KnownEvent; traceparent?: string; dueAt: number },
    leasedAt: number,
    owner: string,
  ): void {
    this.waiting.set(webhookId, {
      type: row.type,
      body: row.body,
      event: row.event,
      traceparent: row.traceparent,
      dueAt: row.dueAt,
      leasedAt,
      owner,
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
      this.handedOut.set(webhookId, { workerId, leasedAt: row.leasedAt, owner: row.owner });
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
   * The holder a settlement by `workerId` must find on the row: the owner the insert wrote for a
   * fresh row this worker was handed (with its first attempt), else the worker itself.
   */
  holderFor(webhookId: string, workerId: string, attempts: number | undefined): string {
    const h = this.handedOut.get(webhookId);
    if (h === undefined || h.workerId !== workerId) return workerId;
    return attempts === undefined || attempts === freshAttempts ? h.owner : workerId;
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

  /** The rows never handed out, by owner; forgotten here (the caller gives their leases back). */
  drainWaiting(): Map<string, string[]> {
    const byOwner = new Map<string, string[]>();
    for (const [webhookId, row] of this.waiting) {
      const ids = byOwner.get(row.owner);
      if (ids === undefined) byOwner.set(row.owner, [webhookId]);
      else ids.push(webhookId);
    }
    this.waiting.clear();
    return byOwner;
  }
}
