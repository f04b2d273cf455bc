// The outbox on PostgreSQL: its migrations, the rows an insert or a settlement adds (in that
// statement or transaction), and the forwarder's claims. Several instances share the table: a claim
// takes due rows with FOR UPDATE SKIP LOCKED and writes a lease timed by the database's clock, so
// one (event, destination) is forwarded by one instance at a time, and a dead instance's rows are
// taken over once their lease runs out. An outcome is written only while its lease is still held.
import type pg from 'pg';
import type { Migration } from '../../store/postgres/PostgresMigrations.js';
import type { ForwardOutbox } from './ForwardOutbox.js';
import type { OutboxPair } from './OutboxRoute.js';
import { type DeadLetterRecord, type DeliveryRow, toDeadLetter, toDelivery } from './outboxSqlite.js';

export const outboxMigrationsTable = 'forward_outbox_schema_migrations';

export const outboxMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'forward_outbox',
    sql: `
CREATE TABLE forward_outbox (
  webhook_id TEXT COLLATE "C" NOT NULL,
  destination TEXT COLLATE "C" NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','forwarded','dead','stopped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  forwarded_at BIGINT,
  PRIMARY KEY (webhook_id, destination)
);
CREATE INDEX forward_outbox_state ON forward_outbox (state, destination, next_attempt_at);
`,
  },
];

/** The database's clock in ms: leases of instances with skewed clocks still agree. */
const dbNow = '(extract(epoch FROM statement_timestamp()) * 1000)::bigint';

/**
 * The insert statement's outbox part: given the upsert as the CTE `ins` (with `inserted`), adds a
 * row for each candidate pair whose event this statement created. $12..$14: webhook-ids,
 * destinations, times (the upsert's own parameters are $1..$11).
 */
export const outboxInsertCte = `
  outbox AS (
    INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at)
    SELECT p.webhook_id, p.destination, p.at, p.at
    FROM unnest($12::text[], $13::text[], $14::bigint[]) AS p(webhook_id, destination, at)
    JOIN ins ON ins.webhook_id = p.webhook_id AND ins.inserted
    ORDER BY 1, 2
    ON CONFLICT (webhook_id, destination) DO NOTHING)`;

/** The parameters outboxInsertCte reads, for these pairs. */
export function outboxInsertParameters(
  pairs: readonly OutboxPair[],
  at: (webhookId: string) => number,
): unknown[] {
  return [pairs.map((p) => p.webhookId), pairs.map((p) => p.destination), pairs.map((p) => at(p.webhookId))];
}

/** Adds the pairs' rows inside the caller's transaction (a settlement); rows already there stay. */
export async function enqueueOutboxPostgres(
  client: pg.ClientBase,
  pairs: readonly OutboxPair[],
  now: number,
): Promise<void> {
  if (pairs.length === 0) return;
  await client.query(
    `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at)
     SELECT webhook_id, destination, $3, $3 FROM unnest($1::text[], $2::text[]) AS p(webhook_id, destination)
     ORDER BY 1, 2
     ON CONFLICT (webhook_id, destination) DO NOTHING`,
    [pairs.map((p) => p.webhookId), pairs.map((p) => p.destination), now],
  );
}

const sql = {
  claim: `
    WITH due AS (
      SELECT webhook_id FROM forward_outbox
      WHERE state = 'pending' AND destination = $1 AND next_attempt_at <= $4
        AND (lease_until IS NULL OR lease_until <= ${dbNow})
      ORDER BY next_attempt_at LIMIT $5
      FOR UPDATE SKIP LOCKED)
    UPDATE forward_outbox o
    SET lease_owner = $2, lease_until = ${dbNow} + $3, attempts = o.attempts + 1
    FROM due JOIN webhook_events e ON e.webhook_id = due.webhook_id
    WHERE o.webhook_id = due.webhook_id AND o.destination = $1
    RETURNING o.webhook_id, e.event_type, e.body, o.attempts, o.next_attempt_at, e.traceparent`,
  settle: `
    UPDATE forward_outbox o
    SET state = i.state, forwarded_at = i.forwarded_at, next_attempt_at = i.next_attempt_at,
        last_error = i.last_error, lease_owner = NULL, lease_until = NULL
    FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])
      AS i(webhook_id, destination, state, forwarded_at, next_attempt_at, last_error)
    WHERE o.webhook_id = i.webhook_id AND o.destination = i.destination AND o.lease_owner = $1`,
  reforward: `
    INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at)
    SELECT e.webhook_id, d.destination, $3, $3
    FROM webhook_events e, unnest($2::text[]) AS d(destination)
    WHERE e.webhook_id = $1 AND e.event_type IS NOT NULL AND e.status <> 'quarantined'
    ORDER BY 2
    ON CONFLICT (webhook_id, destination) DO UPDATE
      SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL,
          lease_owner = NULL, lease_until = NULL`,
  dead: `
    SELECT o.webhook_id, o.destination, e.event_type, o.attempts, o.last_error
    FROM forward_outbox o JOIN webhook_events e ON e.webhook_id = o.webhook_id
    WHERE o.state = 'dead' AND ($1::text IS NULL OR o.destination = $1)
      AND ($2::text IS NULL OR (o.webhook_id, o.destination) > ($2::text COLLATE "C", $3::text COLLATE "C"))
    ORDER BY o.webhook_id, o.destination LIMIT $4`,
  reforwardDead: `
    UPDATE forward_outbox
    SET state = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL
    WHERE state = 'dead' AND ($1::text IS NULL OR destination = $1)`,
  deliveries: `
    SELECT destination, state, attempts, last_error, next_attempt_at, forwarded_at FROM forward_outbox
    WHERE webhook_id = $1 ORDER BY destination`,
  backlog: `
    SELECT destination, count(*) FILTER (WHERE state = 'pending') AS pending,
           count(*) FILTER (WHERE state = 'dead') AS dead,
           min(created_at) FILTER (WHERE state = 'pending') AS oldest
    FROM forward_outbox WHERE state IN ('pending', 'dead') GROUP BY destination`,
};

/** The outbox's operations on a pool. */
export function outboxPostgres(pool: pg.Pool): ForwardOutbox {
  return {
    async claim(destination, owner, now, leaseMs, limit) {
      const { rows } = await pool.query<{
        webhook_id: string;
        event_type: string;
        body: Buffer;
        attempts: number;
        next_attempt_at: string;
        traceparent: string | null;
      }>(sql.claim, [destination, owner, leaseMs, now, limit]);
      rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
      return rows.map((r) => ({
        webhookId: r.webhook_id,
        destination,
        type: r.event_type,
        body: r.body,
        attempts: r.attempts,
        traceparent: r.traceparent,
      }));
    },
    async settle(owner, outcomes) {
      if (outcomes.length === 0) return;
      await pool.query(sql.settle, [
        owner,
        outcomes.map((o) => o.webhookId),
        outcomes.map((o) => o.destination),
        outcomes.map((o) => o.state),
        outcomes.map((o) => (o.state === 'forwarded' ? o.at : null)),
        outcomes.map((o) => (o.state === 'pending' ? o.nextAttemptAt : null)),
        outcomes.map((o) => (o.state === 'forwarded' ? null : o.error)),
      ]);
    },
    async reforward(webhookId, destinations, now) {
      if (destinations.length === 0) return 0;
      return (await pool.query(sql.reforward, [webhookId, destinations, now])).rowCount ?? 0;
    },
    async deadLetters(destination, after, limit) {
      const params = [destination, after?.webhookId ?? null, after?.destination ?? null, limit];
      return (await pool.query<DeadLetterRecord>(sql.dead, params)).rows.map(toDeadLetter);
    },
    async reforwardDead(destination, now) {
      return (await pool.query(sql.reforwardDead, [destination, now])).rowCount ?? 0;
    },
    async deliveriesOf(webhookId) {
      return (await pool.query<DeliveryRow>(sql.deliveries, [webhookId])).rows.map(toDelivery);
    },
    async backlog() {
      const { rows } = await pool.query<{
        destination: string;
        pending: string;
        dead: string;
        oldest: string | null;
      }>(sql.backlog);
      return rows.map((r) => ({
        destination: r.destination,
        pending: Number(r.pending),
        dead: Number(r.dead),
        oldestPendingAt: r.oldest === null ? null : Number(r.oldest),
      }));
    },
  };
}
