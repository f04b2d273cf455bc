// The outbox on SQLite: its table, the rows an insert or a settlement adds (in that transaction),
// the forwarder's claims and outcomes (on the writer connection), and the reads (on the store's
// read connection). One process owns an SQLite file, so a lease only guards against the same
// process's own loops and against a crash's leftovers.
import type Database from 'better-sqlite3';
import type {
  BacklogSummary,
  DeadLetterFilter,
  DeadLetterPosition,
  DeadLetterRow,
  DestinationDelivery,
  OutboxBacklog,
  OutboxItem,
  OutboxOutcome,
  ReforwardedBatch,
} from './ForwardOutbox.js';
import type { OutboxPair } from './OutboxRoute.js';

export const outboxSqliteSchema = `
CREATE TABLE IF NOT EXISTS forward_outbox (
  webhook_id TEXT NOT NULL,
  destination TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','forwarded','dead','stopped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  forwarded_at INTEGER,
  PRIMARY KEY (webhook_id, destination)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS forward_outbox_state ON forward_outbox (state, destination, next_attempt_at);
CREATE INDEX IF NOT EXISTS forward_outbox_pending ON forward_outbox (destination, created_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS forward_outbox_dead ON forward_outbox (webhook_id, destination) WHERE state = 'dead';
`;

// The partial indexes hold only the rows waiting (pending) or given up on (dead), never the
// forwarded ones that make up most of the table: the backlog's oldest row and bounded counts, and
// a page of dead letters in order, are read from them without touching the rest.

/** The named parameters of deadLetterWhere. */
export interface DeadLetterParameters {
  destination: string | null;
  exact: string | null;
  prefix: string | null;
  since: number | null;
  until: number | null;
  afterId: string | null;
  afterDestination: string | null;
}

export function deadLetterParameters(
  filter: DeadLetterFilter,
  after: DeadLetterPosition | null,
): DeadLetterParameters {
  const type = filter.type;
  return {
    destination: filter.destination,
    exact: type !== null && 'exact' in type ? type.exact : null,
    prefix: type !== null && 'prefix' in type ? type.prefix : null,
    since: filter.since,
    until: filter.until,
    afterId: after?.webhookId ?? null,
    afterDestination: after?.destination ?? null,
  };
}

/**
 * The dead letters a filter takes, walked in (webhook-id, destination) order through the dead
 * index; the event's row (type, received_at) is looked up by key for each. CROSS JOIN keeps the
 * outbox as the outer loop, so a page stops after `limit` matches instead of scanning the events.
 */
const deadLetterFrom = `
  FROM forward_outbox o INDEXED BY forward_outbox_dead CROSS JOIN webhook_events e ON e.webhook_id = o.webhook_id
  WHERE o.state = 'dead' AND (@destination IS NULL OR o.destination = @destination)
    AND (@exact IS NULL OR e.type = @exact)
    AND (@prefix IS NULL OR substr(e.type, 1, length(@prefix)) = @prefix)
    AND (@since IS NULL OR e.received_at >= @since)
    AND (@until IS NULL OR e.received_at < @until)
    AND (@afterId IS NULL OR (o.webhook_id, o.destination) > (@afterId, @afterDestination))`;

/** A claim as the writer thread returns it (a Buffer arrives as a Uint8Array). */
export interface ClaimedRow {
  webhook_id: string;
  type: string;
  body: Uint8Array;
  attempts: number;
  traceparent: string | null;
}

/** The outbox's writes on the write connection; each is one transaction. */
export interface OutboxSqliteWrites {
  /** Adds the rows (inside the caller's transaction); a row already there is left as it is. */
  enqueue(pairs: readonly OutboxPair[], now: number): void;
  claim(destination: string, owner: string, now: number, leaseMs: number, limit: number): ClaimedRow[];
  settle(owner: string, outcomes: readonly OutboxOutcome[]): void;
  reforward(webhookId: string, destinations: readonly string[], now: number): number;
  reforwardDead(
    filter: DeadLetterFilter,
    after: DeadLetterPosition | null,
    limit: number,
    now: number,
  ): ReforwardedBatch;
}

/** Prepares the outbox's writes once on `db`, the connection that writes. */
export function prepareOutboxSqlite(db: Database.Database): OutboxSqliteWrites {
  const enqueue = db.prepare<[string, string, number, number], unknown>(
    `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (webhook_id, destination) DO NOTHING`,
  );
  const due = db.prepare<[string, number, number, number], ClaimedRow>(
    `SELECT o.webhook_id, e.type, e.body, o.attempts + 1 AS attempts, e.traceparent
     FROM forward_outbox o JOIN webhook_events e ON e.webhook_id = o.webhook_id
     WHERE o.state = 'pending' AND o.destination = ? AND o.next_attempt_at <= ?
       AND (o.lease_until IS NULL OR o.lease_until <= ?)
     ORDER BY o.next_attempt_at LIMIT ?`,
  );
  const lease = db.prepare<[string, number, number, string, string], unknown>(
    `UPDATE forward_outbox SET lease_owner = ?, lease_until = ?, attempts = ?
     WHERE webhook_id = ? AND destination = ?`,
  );
  const outcome = db.prepare<
    [string, number | null, number | null, string | null, string, string, string],
    unknown
  >(
    `UPDATE forward_outbox
     SET state = ?, forwarded_at = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
     WHERE webhook_id = ? AND destination = ? AND lease_owner = ?`,
  );
  const eligible = db.prepare<[string], { status: string }>(
    `SELECT status FROM webhook_events WHERE webhook_id = ? AND type IS NOT NULL`,
  );
  const reset = db.prepare<[string, string, number, number], unknown>(
    `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (webhook_id, destination) DO UPDATE
       SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL,
           lease_owner = NULL, lease_until = NULL`,
  );
  const pickDead = db.prepare<[DeadLetterParameters & { limit: number }], DeadLetterPosition>(
    `SELECT o.webhook_id AS webhookId, o.destination ${deadLetterFrom}
     ORDER BY o.webhook_id, o.destination LIMIT @limit`,
  );
  const revive = db.prepare<[number, string, string], unknown>(
    `UPDATE forward_outbox
     SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL
     WHERE webhook_id = ? AND destination = ? AND state = 'dead'`,
  );
  return {
    // One batch, one transaction: picked in order, then each made pending by its key.
    reforwardDead: db.transaction(
      (filter: DeadLetterFilter, after: DeadLetterPosition | null, limit: number, now: number) => {
        const picked = pickDead.all({ ...deadLetterParameters(filter, after), limit: limit + 1 });
        const batch = picked.slice(0, limit);
        let count = 0;
        for (const p of batch) count += revive.run(now, p.webhookId, p.destination).changes;
        return { count, last: batch[batch.length - 1] ?? null, more: picked.length > limit };
      },
    ),
    enqueue(pairs, now) {
      for (const p of pairs) enqueue.run(p.webhookId, p.destination, now, now);
    },
    claim: db.transaction(
      (destination: string, owner: string, now: number, leaseMs: number, limit: number) => {
        const rows = due.all(destination, now, now, limit);
        for (const r of rows) lease.run(owner, now + leaseMs, r.attempts, r.webhook_id, destination);
        return rows;
      },
    ),
    settle: db.transaction((owner: string, outcomes: readonly OutboxOutcome[]) => {
      for (const o of outcomes) {
        const [at, next, error] =
          o.state === 'forwarded'
            ? [o.at, null, null]
            : o.state === 'pending'
              ? [null, o.nextAttemptAt, o.error]
              : [null, null, o.error];
        outcome.run(o.state, at, next, error, o.webhookId, o.destination, owner);
      }
    }),
    reforward: db.transaction((webhookId: string, destinations: readonly string[], now: number) => {
      const event = eligible.get(webhookId);
      if (event === undefined || event.status === 'quarantined') return 0;
      for (const d of destinations) reset.run(webhookId, d, now, now);
      return destinations.length;
    }),
  };
}

/** The outbox's reads on a read connection. */
export interface OutboxSqliteReads {
  deliveriesOf(webhookId: string): DestinationDelivery[];
  backlog(): OutboxBacklog[];
  deadLetters(filter: DeadLetterFilter, after: DeadLetterPosition | null, limit: number): DeadLetterRow[];
  countDeadLetters(filter: DeadLetterFilter, cap: number): number;
  backlogSummary(destinations: readonly string[], cap: number): BacklogSummary[];
}

/** A dead letter as both databases return it. */
export interface DeadLetterRecord {
  webhook_id: string;
  destination: string;
  type: string | null;
  attempts: number;
  last_error: string | null;
  received_at: number | string;
}

export function toDeadLetter(r: DeadLetterRecord): DeadLetterRow {
  return {
    webhookId: r.webhook_id,
    destination: r.destination,
    type: r.type,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    receivedAt: Number(r.received_at),
  };
}

/** A summary row as both databases return it (PostgreSQL's bigint counts arrive as text). */
export interface BacklogSummaryRecord {
  destination: string;
  pending: number | string;
  dead: number | string;
  oldest: number | string | null;
}

/** `cap + 1` rows were counted when there are more than `cap`. */
export function toBacklogSummary(r: BacklogSummaryRecord, cap: number): BacklogSummary {
  const pending = Number(r.pending);
  const dead = Number(r.dead);
  return {
    destination: r.destination,
    pending: Math.min(pending, cap),
    pendingCapped: pending > cap,
    dead: Math.min(dead, cap),
    deadCapped: dead > cap,
    oldestPendingAt: r.oldest === null ? null : Number(r.oldest),
  };
}

export interface DeliveryRow {
  destination: string;
  state: DestinationDelivery['state'];
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  forwarded_at: number | null;
}

export function outboxSqliteReads(db: Database.Database): OutboxSqliteReads {
  const deliveries = db.prepare<[string], DeliveryRow>(
    `SELECT destination, state, attempts, last_error, next_attempt_at, forwarded_at FROM forward_outbox
     WHERE webhook_id = ? ORDER BY destination`,
  );
  const backlog = db.prepare<
    [],
    { destination: string; pending: number; dead: number; oldest: number | null }
  >(
    `SELECT destination, sum(state = 'pending') AS pending, sum(state = 'dead') AS dead,
            min(CASE WHEN state = 'pending' THEN created_at END) AS oldest
     FROM forward_outbox INDEXED BY forward_outbox_state
     WHERE state IN ('pending', 'dead') GROUP BY destination`,
  );
  const dead = db.prepare<[DeadLetterParameters & { limit: number }], DeadLetterRecord>(
    `SELECT o.webhook_id, o.destination, e.type, o.attempts, o.last_error, e.received_at ${deadLetterFrom}
     ORDER BY o.webhook_id, o.destination LIMIT @limit`,
  );
  const countDead = db.prepare<[DeadLetterParameters & { limit: number }], { n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 ${deadLetterFrom} LIMIT @limit)`,
  );
  const summary = db.prepare<[{ destination: string; limit: number }], BacklogSummaryRecord>(
    `SELECT @destination AS destination,
       (SELECT count(*) FROM (SELECT 1 FROM forward_outbox INDEXED BY forward_outbox_pending
          WHERE state = 'pending' AND destination = @destination LIMIT @limit)) AS pending,
       (SELECT count(*) FROM (SELECT 1 FROM forward_outbox INDEXED BY forward_outbox_state
          WHERE state = 'dead' AND destination = @destination LIMIT @limit)) AS dead,
       (SELECT min(created_at) FROM forward_outbox INDEXED BY forward_outbox_pending
          WHERE state = 'pending' AND destination = @destination) AS oldest`,
  );
  return {
    deadLetters: (filter, after, limit) =>
      dead.all({ ...deadLetterParameters(filter, after), limit }).map(toDeadLetter),
    countDeadLetters: (filter, cap) =>
      Number(countDead.get({ ...deadLetterParameters(filter, null), limit: cap })?.n ?? 0),
    backlogSummary: (destinations, cap) =>
      destinations.map((destination) => toBacklogSummary(summary.get({ destination, limit: cap + 1 })!, cap)),
    deliveriesOf: (webhookId) => deliveries.all(webhookId).map(toDelivery),
    backlog: () =>
      backlog.all().map((r) => ({
        destination: r.destination,
        pending: Number(r.pending),
        dead: Number(r.dead),
        oldestPendingAt: r.oldest === null ? null : Number(r.oldest),
      })),
  };
}

export function toDelivery(r: DeliveryRow): DestinationDelivery {
  return {
    destination: r.destination,
    state: r.state,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    forwardedAt: r.forwarded_at === null ? null : Number(r.forwarded_at),
  };
}

/** A claimed row as the forwarder gets it. */
export function toOutboxItem(r: ClaimedRow, destination: string): OutboxItem {
  const body = Buffer.isBuffer(r.body)
    ? r.body
    : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
  return {
    webhookId: r.webhook_id,
    destination,
    type: r.type,
    body,
    attempts: Number(r.attempts),
    traceparent: r.traceparent,
  };
}
