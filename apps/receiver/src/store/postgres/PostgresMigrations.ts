// Versioned schema migrations for the PostgreSQL store. Every receiver instance runs migrate() at
// start-up; a session advisory lock (keyed by schema) makes concurrent start-ups take turns, so two
// instances never race on CREATE TABLE and each version is applied exactly once.
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Timestamps are BIGINT milliseconds since the epoch, like the Store interface and the SQLite store,
// so both backends round-trip the same numbers. Ids use COLLATE "C" (byte order), which is what
// SQLite compares with: listing order stays identical across backends. Read models' tables are
// theirs (ReadModel.postgres.migrations), each recorded in a migrations table of its own.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'webhook_events',
    sql: `
CREATE TABLE webhook_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id TEXT COLLATE "C" NOT NULL UNIQUE,
  event_type TEXT COLLATE "C",
  status TEXT NOT NULL CHECK (status IN ('received','processed','failed','quarantined','unhandled')),
  body BYTEA NOT NULL,
  headers JSONB NOT NULL,
  errors JSONB,
  deliveries_seen INTEGER NOT NULL DEFAULT 1,
  received_at BIGINT NOT NULL,
  processed_at BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at BIGINT,
  claimed_by TEXT,
  lease_until BIGINT
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at, seq)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_events_type ON webhook_events (event_type, seq);
CREATE INDEX webhook_events_status ON webhook_events (status, seq);
`,
  },
  {
    version: 2,
    name: 'webhook_events export order index',
    sql: 'CREATE INDEX webhook_events_received ON webhook_events (received_at, webhook_id);',
  },
  {
    // Contract errors are stored bounded: the first 20 (maxListedContractErrors when this was
    // written; a migration keeps its numbers) with their count. Rows from before keep their first
    // 20 and the count of all.
    version: 3,
    name: 'webhook_events bounded contract errors',
    sql: `
ALTER TABLE webhook_events ADD COLUMN error_count INTEGER;
UPDATE webhook_events
SET error_count = jsonb_array_length(errors),
    errors = (SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(errors) WITH ORDINALITY AS t(e, i)
              WHERE i <= 20)
WHERE errors IS NOT NULL AND jsonb_typeof(errors) = 'array' AND jsonb_array_length(errors) > 0;
UPDATE webhook_events SET error_count = 0 WHERE errors IS NOT NULL AND error_count IS NULL;`,
  },
  {
    // The delivery's W3C traceparent (tracing/): null for the rows from before and whenever no SDK
    // traced the delivery. IF NOT EXISTS: a schema that has the column already is left as it is.
    version: 4,
    name: 'webhook_events traceparent',
    sql: 'ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS traceparent TEXT;',
  },
  {
    // The event type column is named `type`, like the field it holds everywhere else; the index on
    // it follows the rename. Only a schema that still has `event_type` is changed.
    version: 5,
    name: 'webhook_events event_type renamed type',
    sql: `
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'webhook_events'
               AND column_name = 'event_type') THEN
    ALTER TABLE webhook_events RENAME COLUMN event_type TO type;
  END IF;
END $$;`,
  },
  {
    // Room on each page for the new version of every row on it that a claim rewrites: the claim
    // changes no indexed value, so the version stays on its page as a heap-only tuple and adds no
    // index entry. Pages filled to the default (100) have no room, and every claim wrote the row
    // (body included) to another page plus an entry in each of the six indexes. Only pages written
    // from now on are affected.
    version: 6,
    name: 'webhook_events fillfactor',
    sql: 'ALTER TABLE webhook_events SET (fillfactor = 50);',
  },
];

export const migrationsTable = 'receiver_schema_migrations';

/** Quotes an SQL identifier (schema names come from configuration). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates `schema` if needed and applies the migrations it lacks, each in its own transaction,
 * holding `pg_advisory_lock` for the whole run. Returns the versions this call applied. `table`
 * records them (a read model's migrations have a table of their own).
 *
 * @example
 * const client = new pg.Client({ connectionString });
 * await client.connect();
 * await migrate(client, 'receiver'); // [1] the first time, [] afterwards
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  list: readonly Migration[] = migrations,
  table: string = migrationsTable,
): Promise<number[]> {
  // The lock key is derived from the schema, so separate schemas (tests, tenants) do not wait on
  // each other while instances sharing one schema do.
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [`webhook-contracts/receiver:${schema}`]);
  try {
    // CREATE SCHEMA checks the database-level CREATE privilege even with IF NOT EXISTS: only ask
    // for it when the schema is really missing, so a user limited to its own schema can migrate.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema)}.${quoteIdentifier(table)} (
         version INTEGER PRIMARY KEY,
         name TEXT NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>(
      `SELECT version FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
    );
    const applied = new Set(done.rows.map((r) => r.version));
    const ran: number[] = [];
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
        await client.query(m.sql);
        await client.query(
          `INSERT INTO ${quoteIdentifier(schema)}.${quoteIdentifier(table)} (version, name) VALUES ($1, $2)`,
          [m.version, m.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      ran.push(m.version);
    }
    return ran;
  } finally {
    await client
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`webhook-contracts/receiver:${schema}`])
      .catch(() => undefined);
  }
}
