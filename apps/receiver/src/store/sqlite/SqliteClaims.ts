// SQLite's claims, kept in memory: ONE receiver process owns an SQLite file (SqliteFileLock
// enforces it), so leases need not be written. What a claim does write is its attempt count (the
// caller writes it, with SqliteWrites.recordClaims, before handing the events out), so an event
// whose handler crashes the process still has the attempt counted, and once it has been claimed
// `maxAttempts` times without being settled it is handed to `giveUp` (marked failed) instead of
// being claimed again. Rows the store just inserted as `received` are kept here (bounded) with their
// bytes, so the processor claims them without reading them back. After a crash the claims are
// simply gone: the rows are still `received` (or `failed` and due) on disk and are claimed again as
// soon as the restarted process looks.

import type { KnownEvent } from '@webhook-contracts/schema';
import type { ClaimedEvent } from '../core/Store.js';
import type { SettleRow } from '../core/settlementColumns.js';

/** A lease held in memory. */
interface Claim {
  workerId: string;
  leaseUntil: number;
  attempts: number;
  /** A settlement for it is being written: it cannot be taken over meanwhile. */
  settling: boolean;
}

/** A row the store inserted as `received`, kept with its bytes until it is claimed. */
interface FreshEvent {
  type: string | null;
  body: Buffer;
  /** The event as the HTTP layer validated it, when it was handed over. */
  event: KnownEvent | undefined;
  traceparent: string | undefined;
  dueAt: number;
}

/** A due row read from the table. */
export interface DueRow {
  webhook_id: string;
  type: string | null;
  body: Buffer;
  attempts: number;
  /** The delivery's traceparent, if one was stored (absent in rows from older callers). */
  traceparent?: string | null;
}

/** Rows claimed this often without a settlement are given up: see claim(). */
export interface ClaimCap {
  maxAttempts: number;
  /** Told about each due row read from the table that was already claimed `maxAttempts` times. */
  giveUp: (row: DueRow) => void;
}

/** A settlement of a claim held here, with the attempt count the claim reached. */
export interface ClaimSettlement extends SettleRow {
  attempts: number;
}

/** At most this many fresh rows are kept in memory; beyond it the processor reads them back. */
const maxFresh = 2000;

/**
 * With nothing known to be waiting outside the fresh rows, the table is still searched this often
 * (in the callers' clock) for due rows nobody announced: events left from before a restart whose
 * retry falls due later, say.
 */
const rescanIntervalMs = 1000;

export class SqliteClaims {
  private readonly claims = new Map<string, Claim>();
  private readonly fresh = new Map<string, FreshEvent>();
  /**
   * Whether rows may be due on disk that are neither fresh nor claimed (a restart, a full fresh
   * cache, a requeue). Searching the table costs a walk over every claimed row, so it happens only
   * then, when a retry or a lease falls due, or every rescanIntervalMs.
   */
  private rescanNeeded = true;
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private nextRetryAt = Number.POSITIVE_INFINITY;

  /** A row the store just inserted as `received`, with its validated event when there is one. */
  created(
    webhookId: string,
    type: string | null,
    body: Buffer,
    dueAt: number,
    event?: KnownEvent,
    traceparent?: string,
  ): void {
    // The processor may already have read the committed row back before the insert was answered
    // (it is claimed then); the writer answers in order, so it cannot be settled yet.
    if (this.claims.has(webhookId)) return;
    if (this.fresh.size < maxFresh) this.fresh.set(webhookId, { type, body, event, traceparent, dueAt });
    else this.rescanNeeded = true;
  }

  /**
   * Leases up to `limit` due events to `workerId`: fresh rows first, then (when a search is due)
   * rows `readDue` finds on disk, which it must return without the `leased` ids. A row read from
   * disk whose stored attempts already reach `cap.maxAttempts` was claimed that often and never
   * settled (its processor died on it each time): it goes to `cap.giveUp` instead.
   */
  claim(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    readDue: (now: number, leased: readonly string[], wanted: number) => DueRow[],
    cap?: ClaimCap,
  ): ClaimedEvent[] {
    const leaseUntil = now + leaseMs;
    const claimed: ClaimedEvent[] = [];
    const take = (
      webhookId: string,
      type: string | null,
      body: Buffer,
      storedAttempts: number,
      event?: KnownEvent,
      traceparent?: string | null,
    ) => {
      // A lease that expired in memory still counts its attempt, as a written lease would.
      const attempts = Math.max(storedAttempts, this.claims.get(webhookId)?.attempts ?? 0) + 1;
      this.claims.set(webhookId, { workerId, leaseUntil, attempts, settling: false });
      this.fresh.delete(webhookId);
      claimed.push({
        webhookId,
        type,
        body,
        ...(event === undefined ? {} : { event }),
        ...(traceparent == null ? {} : { traceparent }),
        attempts,
        claimedBy: workerId,
        leaseUntil,
      });
    };
    for (const [webhookId, row] of this.fresh) {
      if (claimed.length >= limit) return claimed;
      // A fresh row is never claimed: take() removes it, and created() skips a claimed one.
      if (row.dueAt <= now) take(webhookId, row.type, row.body, 0, row.event, row.traceparent);
    }
    const leased: string[] = [];
    let leaseExpired = false;
    for (const [webhookId, claim] of this.claims) {
      if (claim.settling || claim.leaseUntil > now) leased.push(webhookId);
      else leaseExpired = true;
    }
    const scan =
      this.rescanNeeded ||
      leaseExpired ||
      now >= this.nextRetryAt ||
      now >= this.lastScanAt + rescanIntervalMs;
    if (!scan) return claimed;
    this.rescanNeeded = false;
    this.lastScanAt = now;
    if (now >= this.nextRetryAt) this.nextRetryAt = Number.POSITIVE_INFINITY;
    const wanted = limit - claimed.length;
    const rows = readDue(now, leased, wanted);
    for (const r of rows) {
      if (cap !== undefined && r.attempts >= cap.maxAttempts) {
        // An expired lease in this process on it is void too: its holder cannot settle it now.
        this.claims.delete(r.webhook_id);
        cap.giveUp(r);
      } else take(r.webhook_id, r.type, r.body, r.attempts, undefined, r.traceparent);
    }
    // A full page may have left more behind: look again next time.
    if (rows.length === wanted) this.rescanNeeded = true;
    return claimed;
  }

  /**
   * Writes, through `write`, the settlements of the claims `workerId` holds (an expired lease
   * nobody took over still counts) and releases those claims; false for the other rows.
   */
  async settle(
    workerId: string,
    rows: readonly SettleRow[],
    write: (held: ClaimSettlement[]) => Promise<boolean[]>,
  ): Promise<boolean[]> {
    const held: Claim[] = [];
    const writes: ClaimSettlement[] = [];
    const mine = rows.map((row) => {
      const claim = this.claims.get(row.webhookId);
      if (claim === undefined || claim.workerId !== workerId || claim.settling) return false;
      if (row.attempts !== undefined && row.attempts !== claim.attempts) return false;
      claim.settling = true;
      held.push(claim);
      writes.push({ ...row, attempts: claim.attempts });
      if (row.nextAttemptAt !== null) this.nextRetryAt = Math.min(this.nextRetryAt, row.nextAttemptAt);
      return true;
    });
    let written: boolean[];
    try {
      written = writes.length === 0 ? [] : await write(writes);
    } catch (error) {
      for (const claim of held) claim.settling = false;
      throw error;
    }
    let at = 0;
    return mine.map((isMine, i) => {
      if (!isMine) return false;
      const claim = held[at]!;
      const ok = written[at++] === true;
      const webhookId = rows[i]!.webhookId;
      if (this.claims.get(webhookId) === claim) this.claims.delete(webhookId);
      return ok;
    });
  }

  /**
   * Claims whose attempt could not be written: they are dropped, and the table is searched again,
   * where the rows are still due.
   */
  released(webhookIds: readonly string[]): void {
    for (const webhookId of webhookIds) this.claims.delete(webhookId);
    this.rescanNeeded = true;
  }

  /** The event is due again from the table: its current holder (if any) loses it. */
  requeued(webhookId: string): void {
    this.claims.delete(webhookId);
    this.fresh.delete(webhookId);
    this.rescanNeeded = true;
  }

  clear(): void {
    this.claims.clear();
    this.fresh.clear();
  }
}
