// The PostgreSQL server the cross-app tests run against (DATABASE_URL_TEST, as `.ci/run` exports
// it), a private schema per run, and a short-lived admin connection to inspect it with SQL. The
// `pg` driver is borrowed from the receiver's own dependencies: the contract suite reads the
// database the receiver writes, and must not pin another copy of the driver.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { contractsDir } from '../../scripts/artefacts.js';

export const testDatabaseUrl = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The part of `pg.Client` these tests use. */
export interface SqlClient {
  connect(): Promise<void>;
  query<Row>(sql: string, values?: readonly unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const pg = createRequire(join(contractsDir, '../apps/receiver/package.json'))('pg') as {
  Client: new (config: { connectionString: string }) => SqlClient;
};

/**
 * The schema for this run: `DATABASE_SCHEMA` when set (a CI job that owns one), else a fresh
 * `<prefix>_<random>` so parallel runs never share rows. Lowercase letters, digits and `_` only,
 * as the receiver requires.
 */
export function testSchema(prefix: string): string {
  const schema = process.env.DATABASE_SCHEMA ?? `${prefix}_${randomBytes(6).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`DATABASE_SCHEMA=${schema} is not usable: use lowercase letters, digits and _ only`);
  }
  return schema;
}

/** `testDatabaseUrl` with `schema=<schema>` added to its query string. */
export function databaseUrlFor(schema: string): string {
  return `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
}

/** A connected client on the test database; the caller ends it. */
export async function connectSql(): Promise<SqlClient> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (cause) {
    throw new Error(
      `cannot connect to PostgreSQL at DATABASE_URL_TEST (${redact(testDatabaseUrl)}): start the server or point DATABASE_URL_TEST at one`,
      { cause },
    );
  }
  return client;
}

/** Runs `fn` on a fresh connection to the test database and closes it afterwards. */
export async function withSql<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await connectSql();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops the schema and everything in it (idempotent). */
export async function dropSchema(schema: string): Promise<void> {
  await withSql((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/**
 * The sessions a receiver process holds open (found by the `webhook-receiver:<pid>` application
 * name it sets), and how many of them wait for a lock.
 */
export async function receiverSessions(pid: number): Promise<{ open: number; waitingForLock: number }> {
  return withSql(async (c) => {
    const { rows } = await c.query<{ open: number; waiting: number }>(
      `SELECT count(*)::int AS open, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
       FROM pg_stat_activity WHERE application_name = $1`,
      [`webhook-receiver:${pid}`],
    );
    return { open: rows[0]?.open ?? 0, waitingForLock: rows[0]?.waiting ?? 0 };
  });
}

/**
 * Ends a receiver's sessions from the server side, which is what TCP keepalive does for a dead
 * host. A session blocked on a lock never reads its socket, so it would outlive the process.
 */
export async function terminateReceiverSessions(pid: number): Promise<void> {
  await withSql((c) =>
    c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      `webhook-receiver:${pid}`,
    ]),
  );
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
