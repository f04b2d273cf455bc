import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectAdmin,
  dropSchema,
  randomSchema,
  testDatabaseUrl,
} from '../test-support/postgresTestDatabase.js';
import { delivery } from '../test-support/storeContract.js';
import { quoteIdentifier } from './PostgresMigrations.js';
import { PostgresStore } from './PostgresStore.js';
import { claimDueOn, claimStatement } from './postgresClaims.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const processed = { status: 'processed', effects: {} } as const;
/** The contract's delivery() receives at this time by default. */
const t0 = Date.UTC(2025, 0, 1);

describe('the PostgreSQL claim', () => {
  const schemas: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  async function open(): Promise<{ store: PostgresStore; admin: pg.Client; schema: string }> {
    const schema = randomSchema();
    schemas.push(schema);
    const store = await PostgresStore.open({
      url: testDatabaseUrl,
      schema,
      poolSize: 4,
      leaseClock: 'caller',
    });
    const admin = await connectAdmin();
    cleanups.push(
      () => store.close(),
      () => admin.end(),
    );
    await admin.query(`SET search_path TO ${quoteIdentifier(schema)}`);
    return { store, admin, schema };
  }

  it('walks the due index in due order past the entries settled events left behind, never a bitmap of all of them', async () => {
    const { store, admin } = await open();
    // No vacuum may tidy the index during the test (the dead entries are the point), and no
    // analyze: the planner works from the stale estimates a busy table has between autoanalyze runs.
    await admin.query('ALTER TABLE webhook_events SET (autovacuum_enabled = false)');
    const settledCount = 2000;
    await Promise.all(
      Array.from({ length: settledCount }, (_, i) =>
        store.insertDelivery(delivery(`msg_old_${i}`, { receivedAt: t0 + i })),
      ),
    );
    const claimed = await store.claimDue('w', t0 + settledCount, 60_000, settledCount);
    expect(claimed).toHaveLength(settledCount);
    await Promise.all(
      claimed.map((c) => store.settle(c.webhookId, 'w', processed, t0 + settledCount, c.attempts)),
    );
    await store.insertDelivery(delivery('msg_new', { receivedAt: t0 + settledCount }));

    // The store's own claim, with its statement explained instead of run.
    const plans: PlanNode[] = [];
    const explaining = {
      async query(text: string, values?: unknown[]) {
        if (text !== claimStatement) return admin.query(text, values);
        const result = await admin.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${text}`,
          values,
        );
        plans.push(result.rows[0]!['QUERY PLAN'][0].Plan);
        return { rows: [] };
      },
    } as unknown as pg.PoolClient;
    await admin.query('BEGIN');
    try {
      await claimDueOn(explaining, {
        workerId: 'w',
        now: t0 + settledCount + 1,
        leaseMs: 1000,
        limit: 100,
        maxAttempts: 5,
        callerClock: t0 + settledCount + 1,
      });
    } finally {
      await admin.query('ROLLBACK');
    }
    expect(plans).toHaveLength(1);
    const types = nodes(plans[0]!).map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim());
    expect(types).toContain('Index Scan webhook_events_due');
    expect(types.filter((t) => t.startsWith('Bitmap') || t === 'Sort')).toEqual([]);

    // The same statement planned as a bare query would read the dead entries through a bitmap,
    // which is why the claim turns bitmap scans off: this keeps that reason checked.
    const bare = await admin.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${claimStatement}`,
      ['w', 1000, t0 + settledCount + 1, 100, t0 + settledCount + 1, 5],
    );
    const bareTypes = nodes(bare.rows[0]!['QUERY PLAN'][0].Plan).map((n) => n['Node Type']);
    expect(bareTypes).toContain('Bitmap Heap Scan');
  });

  it('claims past events it gives up, so a batch of exhausted events does not leave the claim short', async () => {
    const { store } = await open();
    for (const [i, id] of ['msg_a', 'msg_b', 'msg_c'].entries())
      await store.insertDelivery(delivery(id, { receivedAt: t0 + i }));
    // A and B are claimed once (maxAttempts 1) and their leases run out unsettled.
    const first = await store.claimDue('w1', t0 + 10, 100, 2, 1);
    expect(first.map((c) => c.webhookId)).toEqual(['msg_a', 'msg_b']);
    const second = await store.claimDue('w2', t0 + 1000, 100, 2, 1);
    expect(second.map((c) => [c.webhookId, c.attempts])).toEqual([['msg_c', 1]]);
    for (const id of ['msg_a', 'msg_b']) {
      expect(await store.getEvent(id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        nextAttemptAt: null,
        lastError:
          'claimed 1 times without being settled: the processor crashed or stalled on it each time; requeue it once fixed',
      });
    }
  });

  it('rewrites the rows it claims in place: heap-only tuples that add no index entry', async () => {
    const { store, admin } = await open();
    const options = await admin.query<{ reloptions: string[] | null }>(
      `SELECT reloptions FROM pg_class WHERE oid = 'webhook_events'::regclass`,
    );
    expect(options.rows[0]?.reloptions).toContain('fillfactor=50');
    /** Inserts 24 deliveries, claims them in a transaction, and counts its row updates. */
    const claimUpdates = async (prefix: string) => {
      for (let i = 0; i < 24; i++) {
        const webhookId = `${prefix}${i}`;
        // About 1.8 KB a row, as the docs' deliveries are, and below the size PostgreSQL compresses.
        const body = Buffer.from(JSON.stringify({ id: webhookId, pad: 'x'.repeat(1700) }));
        await store.insertDelivery(delivery(webhookId, { body, receivedAt: t0 + i }));
      }
      // This backend's counts may still hold earlier transactions' (not yet flushed): a difference.
      const counts = async () => {
        const { rows } = await admin.query<{ updated: string; hot: string }>(
          `SELECT n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
           WHERE relid = 'webhook_events'::regclass`,
        );
        return { updated: Number(rows[0]?.updated), hot: Number(rows[0]?.hot) };
      };
      await admin.query('BEGIN');
      try {
        const before = await counts();
        const claimed = await claimDueOn(admin, {
          workerId: 'w',
          now: t0 + 100,
          leaseMs: 60_000,
          limit: 24,
          maxAttempts: undefined,
          callerClock: t0 + 100,
        });
        expect(claimed).toHaveLength(24);
        const after = await counts();
        return { updated: after.updated - before.updated, hot: after.hot - before.hot };
      } finally {
        await admin.query('ROLLBACK');
      }
    };
    expect(await claimUpdates('msg_a')).toEqual({ updated: 24, hot: 24 });
    // Pages filled to the default fillfactor have no room: the same claim moves nearly every row.
    await admin.query('ALTER TABLE webhook_events SET (fillfactor = 100)');
    await admin.query('TRUNCATE webhook_events');
    const full = await claimUpdates('msg_b');
    expect(full.updated).toBe(24);
    expect(full.hot).toBeLessThan(12);
  });
});
