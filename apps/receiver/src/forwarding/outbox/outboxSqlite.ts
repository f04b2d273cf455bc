// The outbox on SQLite: its table, the rows an insert or a settlement adds (in that transaction),
// the forwarder's claims and outcomes (on the writer connection), and the reads (on the store's
// read connection). One process owns an SQLite file, so a lease only guards against the same
// process's own loops and against a crash's leftovers.
import type Database from 'better-sqlite3';
import type {
  DeadLetterPosition,
  DeadLetterRow,
  DestinationDelivery,
  OutboxBacklog,
  OutboxItem,
  OutboxOutcome,
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
`;

/** A claim as the writer thread returns it (a Buffer arrives as a Uint8Array). */
export interface ClaimedRow {
  webhook_id: string;
  event_type: string;
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
  reforwardDead(destination: string | null, now: number): number;
}

/** Prepares the outbox's writes once on `db`, the connection that writes. */
export function prepareOutboxSqlite(db: Database.Database): OutboxSqliteWrites {
  const enqueue = db.prepare<[string, string, number, number], unknown>(
    `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (webhook_id, destination) DO NOTHING`,
  );
  const due = db.prepare<[string, number, number, number], ClaimedRow>(
    `SELECT o.webhook_id, e.event_type, e.body, o.attempts + 1 AS attempts, e.traceparent
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
    `SELECT status FROM webhook_events WHERE webhook_id = ? AND event_type IS NOT NULL`,
  );
  const reset = db.prepare<[string, string, number, number], unknown>(
    `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (webhook_id, destination) DO UPDATE
       SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL,
           lease_owner = NULL, lease_until = NULL`,
  );
  const revive = db.prepare<[number, string | null, string | null], unknown>(
    `UPDATE forward_outbox
     SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL
     WHERE state = 'dead' AND (? IS NULL OR destination = ?)`,
  );
  return {
    reforwardDead: (destination, now) => revive.run(now, destination, destination).changes,
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
  deadLetters(destination: string | null, after: DeadLetterPosition | null, limit: number): DeadLetterRow[];
}

/** A dead letter as both databases return it. */
export interface DeadLetterRecord {
  webhook_id: string;
  destination: string;
  event_type: string | null;
  attempts: number;
  last_error: string | null;
}

export function toDeadLetter(r: DeadLetterRecord): DeadLetterRow {
  return {
    webhookId: r.webhook_id,
    destination: r.destination,
    type: r.event_type,
    attempts: Number(r.attempts),
    lastError: r.last_error,
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
  // Dead letters are few (FORWARD_MAX_ATTEMPTS is off by default): they are read through the
  // state index and sorted.
  const dead = db.prepare<
    [string | null, string | null, string | null, string | null, string | null, number],
    DeadLetterRecord
  >(
    `SELECT o.webhook_id, o.destination, e.event_type, o.attempts, o.last_error
     FROM forward_outbox o INDEXED BY forward_outbox_state JOIN webhook_events e ON e.webhook_id = o.webhook_id
     WHERE o.state = 'dead' AND (? IS NULL OR o.destination = ?)
       AND (? IS NULL OR (o.webhook_id, o.destination) > (?, ?))
     ORDER BY o.webhook_id, o.destination LIMIT ?`,
  );
  return {
    deadLetters: (destination, after, limit) =>
      dead
        .all(
          destination,
          destination,
          after?.webhookId ?? null,
          after?.webhookId ?? null,
          after?.destination ?? null,
          limit,
        )
        .map(toDeadLetter),
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
    type: r.event_type,
    body,
    attempts: Number(r.attempts),
    traceparent: r.traceparent,
  };
}
