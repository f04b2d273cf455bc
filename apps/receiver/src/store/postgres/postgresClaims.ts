// The claim of the PostgreSQL store: one statement leases the due events in due order and, in the
// same pass, marks failed those already claimed maxAttempts times whose last lease ran out. Giving
// up in a statement of its own would scan the whole backlog every round (124 ms a round with
// 200 000 events waiting, against 3.5 ms for this claim).
//
// Every settled event leaves a dead entry in the due index (settling clears next_attempt_at in a
// new row version) until VACUUM reaches the table, which under autovacuum's defaults is after a
// fifth of the table has changed. A bitmap scan returns those entries every time and visits their
// heap pages, so its cost grows with everything settled since the last vacuum. A plain index scan
// in due order stops at `limit` live rows and marks the dead entries it passes, so later scans skip
// them without reading the heap. On stale estimates the planner picks a bitmap scan, or on a table
// of half-filled pages (see the fillfactor migration) a sequential scan and a sort, so the claim's
// transaction turns both off for itself.
import type pg from 'pg';
import type { ClaimedEvent } from '../core/Store.js';

/** The database's clock in ms since the epoch, as leases are timed. */
export const databaseNowMs = '(extract(epoch FROM statement_timestamp()) * 1000)::bigint';

/** A lease is timed by the database's clock, or by the caller's (`$5`) when a test asks for it. */
const clock = `coalesce($5::bigint, ${databaseNowMs})`;

/**
 * Picks up to $4 due events (due by $3) whose lease is free or ran out, in due order, skipping rows
 * another claim holds. Each is leased to $1 for $2 ms and its attempt counted, or, when it was
 * already claimed $6 times and its last lease ran out unsettled (its processor died on it each
 * time), marked failed instead. Only `received` and `failed` events have a next_attempt_at: the
 * status check is left out of the scan so that the due index alone serves it, and kept as a guard.
 */
export const claimStatement = `
  WITH due AS (
    SELECT seq, (lease_until IS NOT NULL AND coalesce(attempts >= $6::int, false)) AS exhausted
    FROM webhook_events
    WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $3
      AND (lease_until IS NULL OR lease_until <= ${clock})
    ORDER BY next_attempt_at, seq
    LIMIT $4
    FOR UPDATE SKIP LOCKED)
  UPDATE webhook_events e
  SET claimed_by = CASE WHEN due.exhausted THEN NULL ELSE $1 END,
      lease_until = CASE WHEN due.exhausted THEN NULL ELSE ${clock} + $2 END,
      attempts = CASE WHEN due.exhausted THEN e.attempts ELSE e.attempts + 1 END,
      status = CASE WHEN due.exhausted THEN 'failed' ELSE e.status END,
      next_attempt_at = CASE WHEN due.exhausted THEN NULL ELSE e.next_attempt_at END,
      last_error = CASE WHEN due.exhausted
        THEN 'claimed ' || e.attempts || ' times without being settled: the processor crashed or stalled on it each time; requeue it once fixed'
        ELSE e.last_error END
  FROM due WHERE e.seq = due.seq AND e.status IN ('received', 'failed')
  RETURNING due.exhausted, e.seq, e.webhook_id, e.type, e.body, e.attempts, e.next_attempt_at,
    e.lease_until, e.traceparent`;

/** Planner settings of the claim's transaction (see the file's header). */
export const claimPlannerSettings = 'SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off';

interface ClaimRow {
  exhausted: boolean;
  seq: string;
  webhook_id: string;
  type: string | null;
  body: Buffer;
  attempts: number;
  next_attempt_at: string;
  lease_until: string;
  traceparent: string | null;
}

export interface ClaimRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  limit: number;
  maxAttempts: number | undefined;
  /** The caller's `now` when leases are timed by the caller's clock, else null. */
  callerClock: number | null;
}

/**
 * Claims on `client`, inside the transaction it holds, and returns the leased events in due order.
 * Events given up take places in a pass; another pass follows while they leave the batch short.
 */
export async function claimDueOn(
  client: Pick<pg.PoolClient, 'query'>,
  request: ClaimRequest,
): Promise<ClaimedEvent[]> {
  const { workerId, now, leaseMs, limit, maxAttempts, callerClock } = request;
  await client.query(claimPlannerSettings);
  const leased: ClaimRow[] = [];
  while (leased.length < limit) {
    const { rows } = await client.query<ClaimRow>(claimStatement, [
      workerId,
      leaseMs,
      now,
      limit - leased.length,
      callerClock,
      maxAttempts ?? null,
    ]);
    let gaveUp = 0;
    for (const row of rows) {
      if (row.exhausted) gaveUp++;
      else leased.push(row);
    }
    if (gaveUp === 0) break;
  }
  // RETURNING has no order: hand events out in due order, as the SQLite store does.
  leased.sort(
    (a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || Number(a.seq) - Number(b.seq),
  );
  return leased.map((r) => ({
    webhookId: r.webhook_id,
    type: r.type,
    body: r.body,
    ...(r.traceparent === null ? {} : { traceparent: r.traceparent }),
    attempts: r.attempts,
    claimedBy: workerId,
    leaseUntil: Number(r.lease_until),
  }));
}
