// The SQLite schema and its migrations. `PRAGMA user_version` records the version a file has
// reached; opening a file brings it up to date before anything else touches it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { outboxSqliteSchema } from '../../forwarding/outbox/outboxSqlite.js';
import { readModels } from '../../readModels/readModels.js';

export const sqliteSchema = `
CREATE TABLE IF NOT EXISTS webhook_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id TEXT NOT NULL UNIQUE,
  type TEXT,
  status TEXT NOT NULL CHECK (status IN ('received','processed','failed','quarantined','unhandled')),
  body BLOB NOT NULL,
  headers TEXT NOT NULL,
  errors TEXT,
  error_count INTEGER,
  deliveries_seen INTEGER NOT NULL DEFAULT 1,
  received_at INTEGER NOT NULL,
  processed_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at INTEGER,
  traceparent TEXT
);
CREATE INDEX IF NOT EXISTS webhook_events_due ON webhook_events (next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS webhook_events_type ON webhook_events (type, seq);
CREATE INDEX IF NOT EXISTS webhook_events_status ON webhook_events (status, seq);
CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events (received_at, webhook_id);
`;

/** Brings a file from version `index` to `index + 1`; run in order, each in the schema's transaction. */
const migrations: readonly ((db: Database.Database) => void)[] = [
  // 0 → 1: files created before claims moved to memory carry two lease columns nothing sets.
  (db) => {
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('webhook_events')")
      .all()
      .map((c) => c.name);
    for (const column of ['claimed_by', 'lease_until']) {
      if (columns.includes(column)) db.exec(`ALTER TABLE webhook_events DROP COLUMN ${column}`);
    }
  },
  // 1 → 2: one row the health check rewrites while inserts fail, to learn when writing works again.
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS receiver_health (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      probed_at INTEGER NOT NULL
    )`);
  },
  // 2 → 3: contract errors are stored bounded, the first 20 (maxListedContractErrors when this was
  // written; a migration keeps its numbers) with their count; rows from before keep their first 20
  // and the count of all.
  (db) => {
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('webhook_events')")
      .all()
      .map((c) => c.name);
    if (!columns.includes('error_count'))
      db.exec('ALTER TABLE webhook_events ADD COLUMN error_count INTEGER');
    db.exec(
      `UPDATE webhook_events
       SET error_count = json_array_length(errors),
           errors = (SELECT json_group_array(json(value) ORDER BY key) FROM json_each(webhook_events.errors)
                     WHERE key < 20)
       WHERE errors IS NOT NULL AND error_count IS NULL AND json_valid(errors)
         AND json_type(errors) = 'array'`,
    );
  },
  // 3 → 4: the delivery's W3C traceparent (tracing/), null for the rows from before and whenever
  // no SDK traced the delivery. A file created since has it from the CREATE TABLE.
  (db) => {
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('webhook_events')")
      .all()
      .map((c) => c.name);
    if (!columns.includes('traceparent')) db.exec('ALTER TABLE webhook_events ADD COLUMN traceparent TEXT');
  },
  // 4 → 5: the event type column is named `type`, like the field it holds everywhere else. RENAME
  // COLUMN rewrites the index on it (webhook_events_type) too. A file created since has `type`.
  (db) => {
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('webhook_events')")
      .all()
      .map((c) => c.name);
    if (columns.includes('event_type'))
      db.exec('ALTER TABLE webhook_events RENAME COLUMN event_type TO type');
  },
];

/**
 * Creates the tables a file lacks (the events' and each read model's) and applies the migrations it
 * has not had, in one transaction.
 */
export function migrateSqlite(db: Database.Database): void {
  db.transaction(() => {
    db.exec(sqliteSchema);
    for (const model of readModels) db.exec(model.sqlite.schema);
    db.exec(outboxSqliteSchema);
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) migrations[v]!(db);
    if (version < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  })();
}

/**
 * Opens a connection in WAL mode with synchronous=FULL (each commit is fsync'd) and, unless told
 * otherwise, brings the schema up to date. Throws what better-sqlite3 or mkdir throw.
 */
export function openSqliteDatabase(filename: string, { migrate = true } = {}): Database.Database {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    if (migrate) migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
