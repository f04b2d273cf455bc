// The PostgreSQL server tests run against (DATABASE_URL_TEST, as .ci/run exports it), and a
// private schema per test so parallel runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier } from '../postgres/PostgresMigrations.js';

export const testDatabaseUrl = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name (not created: the store creates it while migrating). */
export function randomSchema(): string {
  return `wc_test_${randomBytes(6).toString('hex')}`;
}

/** A connected client on the test database; the caller ends it. */
export async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs `fn` on a short-lived admin connection to the test database. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectAdmin();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** How many server sessions carry `applicationName` (a store's pool sets it on each connection). */
export function countSessions(applicationName: string): Promise<number> {
  return withAdminClient(
    async (c) =>
      (
        await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        )
      ).rows[0]!.n,
  );
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`));
}
