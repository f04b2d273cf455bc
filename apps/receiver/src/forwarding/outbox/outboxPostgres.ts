// The outbox on PostgreSQL: its migrations, the rows an insert or a settlement adds (in that
// statement or transaction), and the forwarder's claims. Several instances share the table: a claim
// takes due rows with FOR UPDATE SKIP LOCKED and writes a lease timed by the database's clock, so
// one (event, destination) is forwarded by one instance at a time, and a dead instance's rows are
// taken over once their lease runs out. An outcome is written only while its lease is still held.
import type pg from 'pg';
import type { Migration } from '../../store/postgres/PostgresMigrations.js';
import { databaseNowMs } from '../../store/postgres/postgresClaims.js';
import type { DeadLetterFilter, DeadLetterPosition, ForwardOutbox } from './ForwardOutbox.js';
import type { OutboxPair } from './OutboxRoute.js';
import {
  type BacklogSummaryRecord,
  type DeadLetterRecord,
  type DeliveryRow,
  deadLetterParameters,
  toBacklogSummary,
  toDeadLetter,
  toDelivery,
} from './outboxSqlite.js';

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
  {
    // Only the waiting and the given-up rows: the backlog's oldest row and bounded counts, and a
    // page of dead letters in order, read without touching the forwarded rows.
    version: 2,
    name: 'forward_outbox_backlog_indexes',
    sql: `
CREATE INDEX forward_outbox_pending ON forward_outbox (destination, created_at) WHERE state = 'pending';
CREATE INDEX forward_outbox_dead ON forward_outbox (webhook_id, destination) WHERE state = 'dead';
`,
  },
];

/**
 * The insert statement's outbox part: given the upsert as the CTE `ins` (with `inserted`), adds a
 * row for each candidate pair whose event this statement created. $18..$20: webhook-ids,
 * destinations, times (the upsert's own parameters are $1..$17).
 */
export const outboxInsertCte = `
  outbox AS (
    INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at)
    SELECT p.webhook_id, p.destination, p.at, p.at
    FROM unnest($18::text[], $19::text[], $20::bigint[]) AS p(webhook_id, destination, at)
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

/**
 * The dead letters a filter takes ($1 destination, $2 exact type, $3 type prefix, $4 since, $5
 * until, $6 and $7 the position after which to start), through the dead partial index.
 */
const deadLetterFrom = `
  FROM forward_outbox o JOIN webhook_events e ON e.webhook_id = o.webhook_id
  WHERE o.state = 'dead' AND ($1::text IS NULL OR o.destination = $1)
    AND ($2::text IS NULL OR e.type = $2)
    AND ($3::text IS NULL OR starts_with(e.type, $3))
    AND ($4::bigint IS NULL OR e.received_at >= $4)
    AND ($5::bigint IS NULL OR e.received_at < $5)
    AND ($6::text IS NULL OR (o.webhook_id, o.destination) > ($6::text COLLATE "C", $7::text COLLATE "C"))`;

function deadLetterArguments(filter: DeadLetterFilter, after: DeadLetterPosition | null): unknown[] {
  const p = deadLetterParameters(filter, after);
  return [p.destination, p.exact, p.prefix, p.since, p.until, p.afterId, p.afterDestination];
}

const sql = {
  claim: `
    WITH due AS (
      SELECT webhook_id FROM forward_outbox
      WHERE state = 'pending' AND destination = $1 AND next_attempt_at <= $4
        AND (lease_until IS NULL OR lease_until <= ${databaseNowMs})
      ORDER BY next_attempt_at LIMIT $5
      FOR UPDATE SKIP LOCKED)
    UPDATE forward_outbox o
    SET lease_owner = $2, lease_until = ${databaseNowMs} + $3, attempts = o.attempts + 1
    FROM due JOIN webhook_events e ON e.webhook_id = due.webhook_id
    WHERE o.webhook_id = due.webhook_id AND o.destination = $1
    RETURNING o.webhook_id, e.type, e.body, o.attempts, o.next_attempt_at, e.traceparent`,
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
    WHERE e.webhook_id = $1 AND e.type IS NOT NULL AND e.status <> 'quarantined'
    ORDER BY 2
    ON CONFLICT (webhook_id, destination) DO UPDATE
      SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL,
          lease_owner = NULL, lease_until = NULL`,
  dead: `
    SELECT o.webhook_id, o.destination, e.type, o.attempts, o.last_error, e.received_at
    ${deadLetterFrom} ORDER BY o.webhook_id, o.destination LIMIT $8`,
  countDead: `SELECT count(*) AS n FROM (SELECT 1 ${deadLetterFrom} LIMIT $8) AS matching`,
  // The batch is picked in order and locked (another re-forward's rows skipped), then revived.
  reforwardDead: `
    WITH picked AS (
      SELECT o.webhook_id, o.destination ${deadLetterFrom}
      ORDER BY o.webhook_id, o.destination LIMIT $8
      FOR UPDATE OF o SKIP LOCKED)
    UPDATE forward_outbox o
    SET state = 'pending', attempts = 0, next_attempt_at = $9, last_error = NULL, lease_owner = NULL, lease_until = NULL
    FROM picked WHERE o.webhook_id = picked.webhook_id AND o.destination = picked.destination
    RETURNING o.webhook_id, o.destination`,
  moreDead: `SELECT EXISTS (SELECT 1 ${deadLetterFrom}) AS more`,
  summary: `
    SELECT d.destination,
      (SELECT count(*) FROM (SELECT 1 FROM forward_outbox
         WHERE state = 'pending' AND destination = d.destination LIMIT $2) AS p) AS pending,
      (SELECT count(*) FROM (SELECT 1 FROM forward_outbox
         WHERE state = 'dead' AND destination = d.destination LIMIT $2) AS x) AS dead,
      (SELECT min(created_at) FROM forward_outbox
         WHERE state = 'pending' AND destination = d.destination) AS oldest
    FROM unnest($1::text[]) AS d(destination)`,
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
        type: string;
        body: Buffer;
        attempts: number;
        next_attempt_at: string;
        traceparent: string | null;
      }>(sql.claim, [destination, owner, leaseMs, now, limit]);
      rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
      return rows.map((r) => ({
        webhookId: r.webhook_id,
        destination,
        type: r.type,
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
    async deadLetters(filter, after, limit) {
      const params = [...deadLetterArguments(filter, after), limit];
      return (await pool.query<DeadLetterRecord>(sql.dead, params)).rows.map(toDeadLetter);
    },
    async countDeadLetters(filter, cap) {
      const params = [...deadLetterArguments(filter, null), cap];
      return Number((await pool.query<{ n: string }>(sql.countDead, params)).rows[0]?.n ?? 0);
    },
    async reforwardDead(filter, after, limit, now) {
      const { rows } = await pool.query<{ webhook_id: string; destination: string }>(sql.reforwardDead, [
        ...deadLetterArguments(filter, after),
        limit,
        now,
      ]);
      // RETURNING has no order: the batch ends at its greatest (webhook-id, destination).
      const byKey = (a: { webhook_id: string; destination: string }, b: typeof a) =>
        a.webhook_id === b.webhook_id
          ? compareC(a.destination, b.destination)
          : compareC(a.webhook_id, b.webhook_id);
      const top = rows.sort(byKey)[rows.length - 1];
      const last = top === undefined ? null : { webhookId: top.webhook_id, destination: top.destination };
      const more =
        last !== null &&
        (await pool.query<{ more: boolean }>(sql.moreDead, deadLetterArguments(filter, last))).rows[0]
          ?.more === true;
      return { count: rows.length, last, more };
    },
    async backlogSummary(destinations, cap) {
      if (destinations.length === 0) return [];
      const { rows } = await pool.query<BacklogSummaryRecord>(sql.summary, [destinations, cap + 1]);
      return rows.map((r) => toBacklogSummary(r, cap));
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

/** Byte order of UTF-8 text, as PostgreSQL's "C" collation sorts the outbox's keys. */
function compareC(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
