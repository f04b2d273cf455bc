import { eventually, type OutageProxy, startOutageProxy } from '@webhook-contracts/test-kit';
import pg from 'pg';
import { afterEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createReceiver } from '../../createReceiver.js';
import { ReceiverMetrics } from '../../ReceiverMetrics.js';
import { lessonProgress } from '../../readModels/lessonProgress/index.js';
import { allProgress } from '../../readModels/lessonProgress/test-support/allProgress.js';
import { completedEvent, signedRequest, testSecret } from '../../test-support/signedRequest.js';
import {
  countSessions,
  dropSchema,
  randomSchema,
  testDatabaseUrl,
  withAdminClient,
} from '../test-support/postgresTestDatabase.js';
import { startCrashingProcessor } from '../test-support/startCrashingProcessor.js';
import { delivery, describeStoreContract } from '../test-support/storeContract.js';
import { migrate, migrations, migrationsTable, quoteIdentifier } from './PostgresMigrations.js';
import { PostgresStore, type PostgresStoreOptions } from './PostgresStore.js';

describeStoreContract('PostgresStore', async () => {
  const schema = randomSchema();
  return {
    // The contract moves time by hand, so leases follow the caller's clock here.
    store: await PostgresStore.open({ url: testDatabaseUrl, schema, poolSize: 4, leaseClock: 'caller' }),
    cleanup: () => dropSchema(schema),
  };
});

describe('PostgresStore', () => {
  const schemas: string[] = [];
  const stores: PostgresStore[] = [];
  const proxies: OutageProxy[] = [];

  async function open(options: Partial<PostgresStoreOptions> & { schema: string }): Promise<PostgresStore> {
    if (!schemas.includes(options.schema)) schemas.push(options.schema);
    const store = await PostgresStore.open({
      url: testDatabaseUrl,
      poolSize: 4,
      leaseClock: 'caller',
      ...options,
    });
    stores.push(store);
    return store;
  }

  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    for (const s of schemas.splice(0)) await dropSchema(s);
  });

  describe('claims', () => {
    it('times leases by the database clock: a caller clock far ahead cannot take over a fresh lease', async () => {
      const store = await open({ schema: randomSchema(), leaseClock: 'database' });
      const t0 = Date.now();
      await store.insertDelivery(delivery('msg_lease', { receivedAt: t0 }));
      const [first] = await store.claimDue('w1', t0, 60_000, 10);
      expect(first?.webhookId).toBe('msg_lease');
      // The lease's end comes from the server's clock, which agrees with this machine's here.
      expect(Math.abs(first!.leaseUntil - (Date.now() + 60_000))).toBeLessThan(10_000);
      expect(await store.claimDue('w2', t0 + 3_600_000, 60_000, 10)).toEqual([]);
    });

    it('hands out claimed events earliest due first, events due together in arrival order', async () => {
      const store = await open({ schema: randomSchema() });
      const t0 = 2_000_000;
      // Arrival order (e1 … e4) is not due order: e2 and e3 fell due first, together.
      for (const [id, at] of [
        ['msg_e1', 30],
        ['msg_e2', 10],
        ['msg_e3', 10],
        ['msg_e4', 20],
      ] as const) {
        await store.insertDelivery(delivery(id, { receivedAt: t0 + at }));
      }
      const claimed = await store.claimDue('w1', t0 + 100, 1000, 10);
      expect(claimed.map((c) => c.webhookId)).toEqual(['msg_e2', 'msg_e3', 'msg_e4', 'msg_e1']);
    });
  });

  describe('a handler that kills its process', () => {
    it('is given up after maxAttempts crashes, as on SQLite: the next process marks the event failed instead of running it', async () => {
      const schema = randomSchema();
      const store = await open({ schema, leaseClock: 'database' });
      const killer = completedEvent();
      const id = killer.id as string;
      await store.insertDelivery(
        delivery(id, { body: Buffer.from(JSON.stringify(killer)), receivedAt: Date.now() }),
      );
      const url = `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
      const maxAttempts = 3;
      // A short lease: a dead process's claim is taken over once it runs out.
      const leaseMs = 300;
      for (let run = 1; run <= maxAttempts; run++) {
        const child = startCrashingProcessor(url, maxAttempts, leaseMs);
        const exit = await child.exited;
        expect(exit.signal, exit.output).toBe('SIGKILL');
        expect(child.handled).toEqual([id]);
        expect(await store.getEvent(id)).toMatchObject({ status: 'received', attempts: run });
      }
      const last = startCrashingProcessor(url, maxAttempts, leaseMs);
      await last.ready;
      const failed = await eventually(
        'the event failed',
        async () => {
          const event = await store.getEvent(id);
          return event?.status === 'failed' ? event : undefined;
        },
        20_000,
      );
      last.child.kill('SIGTERM');
      const exit = await last.exited;
      expect(exit.code, exit.output).toBe(0);
      expect(last.handled).toEqual([]);
      expect(failed).toMatchObject({
        attempts: maxAttempts,
        nextAttemptAt: null,
        lastError:
          'claimed 3 times without being settled: the processor crashed or stalled on it each time; requeue it once fixed',
      });
    });
  });

  describe('one delivery never fails another', () => {
    it('writes a failed batch row by row: a NUL in type is refused as unstorable, its batch-mates are stored', async () => {
      const store = await open({ schema: randomSchema() });
      const results = await Promise.allSettled([
        store.insertDelivery(delivery('msg_ok_1')),
        store.insertDelivery(delivery('msg_nul', { type: `evil${String.fromCharCode(0)}type` })),
        store.insertDelivery(delivery('msg_ok_2')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const reason = (results[1] as PromiseRejectedResult).reason as { code: string; message: string };
      expect(reason.code).toBe('unstorable_delivery');
      expect(reason.message).toMatch(/^PostgreSQL cannot store this delivery \(.*(22021|0x00)/);
      expect((await store.getEvent('msg_ok_1'))?.status).toBe('received');
      expect((await store.getEvent('msg_ok_2'))?.status).toBe('received');
      expect(await store.getEvent('msg_nul')).toBeNull();
    });

    it('keeps a delivery without errors as SQL NULL, not a JSON null', async () => {
      const schema = randomSchema();
      const store = await open({ schema });
      await store.insertDelivery(delivery('msg_ok'));
      await store.insertDelivery(
        delivery('msg_q', { status: 'quarantined', errors: [{ pointer: '', message: 'must be object' }] }),
      );
      const rows = await withAdminClient(
        async (c) =>
          (
            await c.query(
              `SELECT webhook_id, errors IS NULL AS none FROM ${quoteIdentifier(schema)}.webhook_events ORDER BY webhook_id`,
            )
          ).rows,
      );
      expect(rows).toEqual([
        { webhook_id: 'msg_ok', none: true },
        { webhook_id: 'msg_q', none: false },
      ]);
    });

    it('runs a statement that lost a deadlock or serialization race again, three times in all', async () => {
      const store = await open({ schema: randomSchema() });
      const conflict = (code: string) => Object.assign(new Error(`lost a race (${code})`), { code });
      // The server's answers, as the pool hands them over; unmocked calls reach the database.
      const query = vi.spyOn(pg.Pool.prototype, 'query') as unknown as MockInstance<
        (...args: unknown[]) => Promise<unknown>
      >;
      try {
        query.mockRejectedValueOnce(conflict('40P01')).mockRejectedValueOnce(conflict('40001'));
        await expect(store.insertDelivery(delivery('msg_retried'))).resolves.toMatchObject({
          inserted: true,
        });
        expect(query).toHaveBeenCalledTimes(3);

        query.mockClear();
        query.mockRejectedValue(conflict('40P01'));
        await expect(store.insertDelivery(delivery('msg_lost'))).rejects.toMatchObject({
          code: 'store_unavailable',
          message: expect.stringContaining('lost a race (40P01)'),
        });
        expect(query).toHaveBeenCalledTimes(3);

        // Any other failure is not a race: it is not sent again.
        query.mockClear();
        query.mockRejectedValue(conflict('57014'));
        await expect(store.insertDelivery(delivery('msg_cancelled'))).rejects.toMatchObject({
          code: 'store_unavailable',
        });
        expect(query).toHaveBeenCalledTimes(1);
      } finally {
        query.mockRestore();
      }
      expect(await store.getEvent('msg_lost')).toBeNull();
    });

    it('refuses deliveries past its pending-insert limit with store_overloaded', async () => {
      const store = await open({ schema: randomSchema(), maxPending: 2 });
      const queued = [store.insertDelivery(delivery('msg_q1')), store.insertDelivery(delivery('msg_q2'))];
      await expect(store.insertDelivery(delivery('msg_q3'))).rejects.toMatchObject({
        code: 'store_overloaded',
      });
      await Promise.all(queued);
      await expect(store.insertDelivery(delivery('msg_q3'))).resolves.toMatchObject({ inserted: true });
    });
  });

  describe('schema and migrations', () => {
    it('creates the schema from ?schema= in the URL and records each migration once', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const store = await PostgresStore.open({ url: `${testDatabaseUrl}?schema=${schema}` });
      stores.push(store);
      expect(store.schema).toBe(schema);
      await store.insertDelivery(delivery('msg_1'));
      const reopened = await open({ schema });
      expect((await reopened.getEvent('msg_1'))!.status).toBe('received');
      const versions = await withAdminClient(
        async (c) =>
          (await c.query(`SELECT version FROM ${quoteIdentifier(schema)}.${migrationsTable}`)).rows,
      );
      expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
    });

    it('keeps the first 20 errors and the count of all in a row stored before errors were bounded', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const errors = Array.from({ length: 30 }, (_, i) => ({
        pointer: `/data/${i}`,
        message: 'must be string',
      }));
      const rows = await withAdminClient(async (c) => {
        await migrate(c, schema, migrations.slice(0, 2));
        const insert = `INSERT INTO ${quoteIdentifier(schema)}.webhook_events
          (webhook_id, status, body, headers, errors, received_at) VALUES ($1, 'quarantined', '\\x7b7d', '{}', $2, 0)`;
        await c.query(insert, ['msg_many', JSON.stringify(errors)]);
        await c.query(insert, ['msg_few', JSON.stringify(errors.slice(0, 2))]);
        await c.query(insert, ['msg_empty', '[]']);
        await c.query(insert, ['msg_none', null]);
        expect(await migrate(c, schema, migrations.slice(0, 3))).toEqual([3]);
        return (
          await c.query(
            `SELECT webhook_id, errors, error_count FROM ${quoteIdentifier(schema)}.webhook_events ORDER BY webhook_id`,
          )
        ).rows;
      });
      expect(rows).toEqual([
        { webhook_id: 'msg_empty', errors: [], error_count: 0 },
        { webhook_id: 'msg_few', errors: errors.slice(0, 2), error_count: 2 },
        { webhook_id: 'msg_many', errors: errors.slice(0, 20), error_count: 30 },
        { webhook_id: 'msg_none', errors: null, error_count: null },
      ]);
    });

    it('adds a null traceparent to the rows of a schema made before it, and keeps a column already there', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const rows = await withAdminClient(async (c) => {
        await migrate(c, schema, migrations.slice(0, 3));
        await c.query(
          `INSERT INTO ${quoteIdentifier(schema)}.webhook_events (webhook_id, status, body, headers, received_at)
           VALUES ('msg_old', 'processed', '\\x7b7d', '{}', 0)`,
        );
        expect(await migrate(c, schema, migrations.slice(0, 4))).toEqual([4]);
        // Recorded as not applied again: it runs again on the column it made, without failing.
        await c.query(`DELETE FROM ${quoteIdentifier(schema)}.${migrationsTable} WHERE version = 4`);
        expect(await migrate(c, schema, migrations.slice(0, 4))).toEqual([4]);
        return (
          await c.query(`SELECT webhook_id, traceparent FROM ${quoteIdentifier(schema)}.webhook_events`)
        ).rows;
      });
      expect(rows).toEqual([{ webhook_id: 'msg_old', traceparent: null }]);
    });

    it('renames event_type to type in a schema at version 4, keeping every row with its type, and queries by type', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const table = `${quoteIdentifier(schema)}.webhook_events`;
      await withAdminClient(async (c) => {
        await migrate(c, schema, migrations.slice(0, 4));
        const insert = `INSERT INTO ${table} (webhook_id, event_type, status, body, headers, received_at, next_attempt_at)
          VALUES ($1, $2, $3, '\\x7b7d', '{}', $4, $5)`;
        await c.query(insert, ['msg_a', 't.a', 'processed', 1000, null]);
        await c.query(insert, ['msg_b', 't.b', 'failed', 2000, 2500]);
        await c.query(insert, ['msg_none', null, 'quarantined', 3000, null]);
        expect(await migrate(c, schema)).toEqual([5, 6]);
        // Recorded as not applied again: it finds no event_type and leaves the schema alone.
        await c.query(`DELETE FROM ${quoteIdentifier(schema)}.${migrationsTable} WHERE version = 5`);
        expect(await migrate(c, schema)).toEqual([5]);
        const columns = await c.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns
           WHERE table_schema = $1 AND table_name = 'webhook_events' AND column_name IN ('type', 'event_type')`,
          [schema],
        );
        expect(columns.rows).toEqual([{ column_name: 'type' }]);
        const index = await c.query<{ def: string }>(
          `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
           JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace
           WHERE n.nspname = $1 AND x.relname = 'webhook_events_type'`,
          [schema],
        );
        expect(index.rows[0]?.def).toMatch(/\(type, seq\)$/);
      });
      const store = await open({ schema });
      expect((await store.getEvent('msg_a'))!.type).toBe('t.a');
      expect((await store.getEvent('msg_none'))!.type).toBeNull();
      const byType = await store.listEvents({ type: 't.b', limit: 10 });
      expect(byType.events.map((e) => [e.webhookId, e.type])).toEqual([['msg_b', 't.b']]);
      const exported = await store.exportEvents({ types: ['t.a', 't.b'], limit: 10 });
      expect(exported.map((e) => [e.webhookId, e.type])).toEqual([
        ['msg_a', 't.a'],
        ['msg_b', 't.b'],
      ]);
      const claimed = await store.claimDue('w1', 2500, 30_000, 10);
      expect(claimed.map((c) => [c.webhookId, c.type])).toEqual([['msg_b', 't.b']]);
    });

    it('lets two instances migrate one fresh schema at the same moment: one applies, the other waits', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const results = await withAdminClient(async (a) =>
        withAdminClient(async (b) => Promise.all([migrate(a, schema), migrate(b, schema)])),
      );
      expect(results.flat()).toEqual(migrations.map((m) => m.version));
      // And two stores opening together on another fresh schema both come up working.
      const other = randomSchema();
      const [s1, s2] = await Promise.all([open({ schema: other }), open({ schema: other })]);
      await s1.insertDelivery(delivery('msg_from_1'));
      expect((await s2.getEvent('msg_from_1'))!.webhookId).toBe('msg_from_1');
    });
  });

  describe('configuration', () => {
    it('gives every pooled connection its schema, lock timeout and application name', async () => {
      const schema = randomSchema();
      const custom = await open({ schema, poolSize: 2, lockTimeoutMs: 2500, applicationName: 'wc-test-app' });
      expect(await custom.sessionSettings('search_path')).toEqual([schema, schema]);
      expect(await custom.sessionSettings('lock_timeout')).toEqual(['2500ms', '2500ms']);
      expect(await custom.sessionSettings('application_name')).toEqual(['wc-test-app', 'wc-test-app']);
      const defaults = await open({ schema, poolSize: 1 });
      expect(await defaults.sessionSettings('lock_timeout')).toEqual(['5s']);
      expect(await defaults.sessionSettings('application_name')).toEqual([`webhook-receiver:${process.pid}`]);
      expect(defaults.poolSize).toBe(1);
      expect((await open({ schema })).poolSize).toBe(4);
    });

    it('has the server parse the insert and the settlement once per pooled connection, not per batch', async () => {
      const parsed: string[] = [];
      const parse = pg.Connection.prototype.parse;
      const spy = vi.spyOn(pg.Connection.prototype, 'parse').mockImplementation(function (
        this: pg.Connection,
        ...args: Parameters<typeof parse>
      ) {
        parsed.push(args[0].name ?? '');
        return parse.apply(this, args);
      });
      try {
        const store = await open({ schema: randomSchema(), poolSize: 1 });
        for (let i = 0; i < 3; i++) {
          await store.insertDelivery(delivery(`msg_${i}`, { receivedAt: 1000 + i }));
          const [claim] = await store.claimDue('w1', 2000, 60_000, 1);
          expect(
            await store.settle(claim!.webhookId, 'w1', { status: 'unhandled' }, 2000, claim!.attempts),
          ).toBe(true);
        }
        expect(parsed.filter((name) => name === 'webhook_events_insert')).toHaveLength(1);
        expect(parsed.filter((name) => name === 'webhook_events_settle')).toHaveLength(1);
        // The claims (planned anew each time, under the claim's planner settings) stay unnamed.
        expect(parsed.filter((name) => name === '').length).toBeGreaterThanOrEqual(3);
      } finally {
        spy.mockRestore();
      }
    });

    it('opens as many connections as poolSize, beyond pg’s default of 10', async () => {
      const schema = randomSchema();
      const store = await open({ schema, poolSize: 12, connectionTimeoutMs: 2000 });
      expect(await store.sessionSettings('search_path')).toEqual(Array.from({ length: 12 }, () => schema));
    });

    it('fails a statement that outlasts queryTimeoutMs with store_unavailable instead of waiting on', {
      timeout: 10_000,
    }, async () => {
      const schema = randomSchema();
      // No lock timeout: only the statement limit can end the wait.
      const store = await open({ schema, queryTimeoutMs: 300, lockTimeoutMs: 0 });
      await store.insertDelivery(delivery('msg_locked'));
      await withAdminClient(async (c) => {
        await c.query('BEGIN');
        await c.query(
          `SELECT 1 FROM ${quoteIdentifier(schema)}.webhook_events WHERE webhook_id = 'msg_locked' FOR UPDATE`,
        );
        try {
          await expect(store.requeue('msg_locked', 0)).rejects.toMatchObject({
            code: 'store_unavailable',
            message: expect.stringMatching(/timeout/i),
          });
        } finally {
          await c.query('ROLLBACK');
        }
      });
    });

    it('ends every connection of its pool on close()', async () => {
      const applicationName = `wc-close-${randomSchema()}`;
      const store = await open({ schema: randomSchema(), applicationName, poolSize: 3 });
      expect(await store.sessionSettings('application_name')).toEqual([
        applicationName,
        applicationName,
        applicationName,
      ]);
      const sessions = () => countSessions(applicationName);
      expect(await sessions()).toBe(3);
      await store.close();
      await eventually('sessions() === 0', async () => ((await sessions()) === 0 ? true : undefined));
    });

    it.each([
      [{ schema: 'Bad-Name' }, 'database schema "Bad-Name" is not allowed: use lowercase letters'],
      [{ schema: 'ok', poolSize: 0 }, 'pool size 0 is not allowed: use a whole number ≥ 1'],
      [{ schema: 'ok', poolSize: 1.5 }, 'pool size 1.5 is not allowed'],
      [{ schema: 'ok', url: 'sqlite:./x.sqlite' }, 'PostgresStore needs a postgres:// or postgresql:// URL'],
      [{ schema: 'ok', url: 'postgres://[nope' }, 'DATABASE_URL: not a valid PostgreSQL URL'],
    ])('refuses %o with unsupported_database before connecting', (options, message) => {
      expect(() => new PostgresStore({ url: testDatabaseUrl, ...options })).toThrow(
        expect.objectContaining({ code: 'unsupported_database', message: expect.stringContaining(message) }),
      );
    });

    it('applies migrations in version order, each once, and stops at one that fails with its name', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      // Listed out of order; the second needs the first's table.
      const list = [
        { version: 2, name: 'second', sql: 'CREATE TABLE two (LIKE one)' },
        { version: 3, name: 'broken', sql: 'CREATE TABLE three (id int); SELECT no_such_column FROM one' },
        { version: 1, name: 'first', sql: 'CREATE TABLE one (id int)' },
      ];
      const error = await withAdminClient(async (c) => {
        const failed = await migrate(c, schema, list).catch((e: unknown) => e);
        // The failed migration was rolled back and the lock given back: the session goes on.
        expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        return failed;
      });
      expect(error).toMatchObject({
        message: expect.stringMatching(/^migration 3 \(broken\) failed: .*no_such_column/),
        cause: expect.objectContaining({ code: '42703' }),
      });
      const state = async () =>
        withAdminClient(async (c) => ({
          versions: (
            await c.query(
              `SELECT version, name FROM ${quoteIdentifier(schema)}.${migrationsTable} ORDER BY version`,
            )
          ).rows,
          tables: (
            await c.query(
              `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
              [schema],
            )
          ).rows.map((r: { table_name: string }) => r.table_name),
        }));
      expect(await state()).toEqual({
        versions: [
          { version: 1, name: 'first' },
          { version: 2, name: 'second' },
        ],
        tables: ['one', migrationsTable, 'two'],
      });
      // Nothing left to apply; the advisory lock is given back while the session stays open.
      await withAdminClient(async (c) => {
        expect(await migrate(c, schema, [list[0]!, list[2]!])).toEqual([]);
        const free = await withAdminClient(
          async (other) =>
            (
              await other.query('SELECT pg_try_advisory_lock(hashtext($1)) AS free', [
                `webhook-contracts/receiver:${schema}`,
              ])
            ).rows[0].free,
        );
        expect(free).toBe(true);
      });
      expect(quoteIdentifier('a"b')).toBe('"a""b"');
    });

    it('applies the migrations a fresh schema lacks in version order and reports them', async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const list = [
        { version: 3, name: 'third', sql: 'ALTER TABLE two ADD COLUMN c int' },
        { version: 1, name: 'first', sql: 'CREATE TABLE one (a int)' },
        { version: 2, name: 'second', sql: 'CREATE TABLE two (LIKE one)' },
      ];
      expect(await withAdminClient((c) => migrate(c, schema, list))).toEqual([1, 2, 3]);
    });

    it('migrates an existing schema as a user who may not create schemas in the database', async () => {
      const role = `wc_owner_${randomSchema().slice(-12)}`;
      const schema = randomSchema();
      await withAdminClient(async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN`);
        await c.query(`CREATE SCHEMA ${quoteIdentifier(schema)} AUTHORIZATION ${role}`);
        // The role has no CREATE on the database, as a database owner would grant it.
        const { rows } = await c.query(
          `SELECT has_database_privilege($1, current_database(), 'CREATE') AS may`,
          [role],
        );
        expect(rows).toEqual([{ may: false }]);
      });
      const url = new URL(testDatabaseUrl);
      url.username = role;
      try {
        const store = await PostgresStore.open({ url: url.toString(), schema, poolSize: 1 });
        try {
          await store.insertDelivery(delivery('msg_1'));
          expect((await store.getEvent('msg_1'))?.status).toBe('received');
        } finally {
          await store.close();
        }
      } finally {
        await withAdminClient(async (c) => {
          await c.query(`DROP OWNED BY ${role}`);
          await c.query(`DROP ROLE ${role}`);
        });
      }
    });
  });

  describe('durability', () => {
    it('commits with synchronous_commit=on on every pooled connection, even for a role whose default is off', async () => {
      const role = `wc_async_${randomSchema().slice(-12)}`;
      await withAdminClient(async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN`);
        await c.query(`ALTER ROLE ${role} SET synchronous_commit = off`);
        await c.query(`GRANT CREATE ON DATABASE ${quoteIdentifier(c.database!)} TO ${role}`);
      });
      const url = new URL(testDatabaseUrl);
      url.username = role;
      try {
        // The role's default really is off: a plain session of it says so.
        const plain = new pg.Client({ connectionString: url.toString() });
        await plain.connect();
        expect((await plain.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
        await plain.end();

        const schema = randomSchema();
        const store = await open({ schema, url: url.toString(), poolSize: 3 });
        expect(await store.sessionSettings('synchronous_commit')).toEqual(['on', 'on', 'on']);
        await store.close();
        await dropSchema(schema);
      } finally {
        await withAdminClient(async (c) => {
          await c.query(`DROP OWNED BY ${role}`);
          await c.query(`DROP ROLE ${role}`);
        });
      }
    });
  });

  describe('several instances on one database', () => {
    it('writes deliveries queued in one event-loop turn in a single commit', async () => {
      const schema = randomSchema();
      const store = await open({ schema });
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.insertDelivery(delivery(`msg_${i}`))));
      // Counted by the database: every row a transaction writes carries that transaction's id (xmin).
      const writers = async () =>
        withAdminClient(
          async (c) =>
            (
              await c.query<{ n: number }>(
                `SELECT count(DISTINCT xmin::text)::int AS n FROM ${quoteIdentifier(schema)}.webhook_events`,
              )
            ).rows[0]!.n,
        );
      expect(await writers()).toBe(1);
      await store.insertDelivery(delivery('msg_next_turn'));
      expect(await writers()).toBe(2);
    });

    it('stores one row for copies of a delivery reaching two instances at once, exactly one new', async () => {
      const schema = randomSchema();
      const a = await open({ schema });
      const b = await open({ schema });
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).insertDelivery(delivery('msg_same'))),
      );
      expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
      expect(outcomes.map((o) => o.deliveriesSeen).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      expect((await a.getEvent('msg_same'))!.deliveriesSeen).toBe(30);
      expect((await b.listEvents({ limit: 10 })).events).toHaveLength(1);
    });

    it('upserts overlapping batches from two instances in opposite orders without deadlocking', async () => {
      const schema = randomSchema();
      const a = await open({ schema });
      const b = await open({ schema });
      const ids = Array.from({ length: 300 }, (_, i) => `msg_${String(i).padStart(3, '0')}`);
      const outcomes = await Promise.all([
        ...ids.map((id) => a.insertDelivery(delivery(id))),
        ...[...ids].reverse().map((id) => b.insertDelivery(delivery(id))),
      ]);
      expect(outcomes.filter((o) => o.inserted)).toHaveLength(300);
      const counts = await withAdminClient(
        async (c) =>
          (
            await c.query(
              `SELECT count(*)::int AS rows, min(deliveries_seen) AS lo, max(deliveries_seen) AS hi
               FROM ${quoteIdentifier(schema)}.webhook_events`,
            )
          ).rows[0],
      );
      expect(counts).toEqual({ rows: 300, lo: 2, hi: 2 });
    });

    it('settles a batch in one statement, skipping events whose lease another instance took', async () => {
      const schema = randomSchema();
      const a = await open({ schema });
      const b = await open({ schema });
      const t0 = Date.UTC(2025, 0, 1);
      for (const id of ['msg_1', 'msg_2', 'msg_3']) await a.insertDelivery(delivery(id));
      await a.claimDue('w1', t0, 1000, 10);
      // msg_2's lease expires and instance b claims it: w1 must not settle it nor write its effects.
      await a.requeue('msg_2', t0);
      expect((await b.claimDue('w2', t0 + 1, 1000, 10)).map((c) => c.webhookId)).toEqual(['msg_2']);
      const lesson = (lessonId: string, at: number) => ({
        userId: 'user_1',
        courseId: 'cors_1',
        lessonId,
        completedAt: at,
      });
      const results = await a.settleMany(
        'w1',
        [
          {
            webhookId: 'msg_1',
            settlement: { status: 'processed', effects: { lessonCompletions: [lesson('lesn_a', t0 + 9)] } },
          },
          {
            webhookId: 'msg_2',
            settlement: { status: 'processed', effects: { lessonCompletions: [lesson('lesn_b', t0)] } },
          },
          {
            webhookId: 'msg_3',
            settlement: { status: 'processed', effects: { lessonCompletions: [lesson('lesn_a', t0 + 3)] } },
          },
        ],
        t0 + 10,
      );
      expect(results).toEqual([true, false, true]);
      expect(await allProgress(b.reader(lessonProgress))).toEqual([
        {
          userId: 'user_1',
          courseId: 'cors_1',
          completedLessons: 1,
          lessonIds: ['lesn_a'],
          lastCompletedAt: t0 + 3,
        },
      ]);
      expect(await b.getEvent('msg_2')).toMatchObject({ status: 'received', attempts: 1 });
      expect(await b.getEvent('msg_3')).toMatchObject({
        status: 'processed',
        processedAt: t0 + 10,
        attempts: 1,
      });
    });

    it('hands each due event to exactly one of two instances claiming at the same time', async () => {
      const schema = randomSchema();
      const a = await open({ schema });
      const b = await open({ schema });
      await Promise.all(Array.from({ length: 120 }, (_, i) => a.insertDelivery(delivery(`msg_${i}`))));
      const claimed: string[] = [];
      const byWorker = { a: 0, b: 0 };
      await Promise.all(
        (['a', 'b'] as const).map(async (name) => {
          const store = name === 'a' ? a : b;
          for (;;) {
            const batch = await store.claimDue(name, Date.UTC(2025, 0, 2), 60_000, 7);
            if (batch.length === 0) return;
            byWorker[name] += batch.length;
            claimed.push(...batch.map((c) => c.webhookId));
          }
        }),
      );
      expect(claimed).toHaveLength(120);
      expect(new Set(claimed).size).toBe(120);
      expect(byWorker.a + byWorker.b).toBe(120);
    });
  });

  describe('when the database is unreachable', () => {
    const target = new URL(testDatabaseUrl);
    const proxiedUrl = (port: number) => {
      const u = new URL(testDatabaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    };

    async function proxy(): Promise<OutageProxy> {
      const p = await startOutageProxy(target.hostname, Number(target.port || 5432));
      proxies.push(p);
      return p;
    }

    it('survives the server ending an idle pooled connection, and opens a new one', async () => {
      const applicationName = `wc-idle-${randomSchema()}`;
      const store = await open({ schema: randomSchema(), applicationName, poolSize: 1 });
      await store.ping();
      const sessions = () => countSessions(applicationName);
      expect(await sessions()).toBe(1);
      // An 'error' event nobody listens to would surface here (and end a real process).
      const crashes: unknown[] = [];
      const crash = (error: unknown) => crashes.push(error);
      process.on('uncaughtException', crash);
      try {
        // As a database restart or an operator would: the idle connection gets a FATAL and is closed.
        await withAdminClient((c) =>
          c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
            applicationName,
          ]),
        );
        await eventually('sessions() === 0', async () => ((await sessions()) === 0 ? true : undefined));
        await eventually('the store answers a ping', async () => {
          await store.ping();
          return true;
        });
      } finally {
        process.off('uncaughtException', crash);
      }
      expect(crashes).toEqual([]);
      expect(await sessions()).toBe(1);
    });

    it('fails start-up with store_unavailable naming the cause when nothing listens', async () => {
      const p = await proxy();
      await p.down();
      const error = await PostgresStore.open({
        url: proxiedUrl(p.port),
        schema: randomSchema(),
        startupTimeoutMs: 0,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'store_unavailable' });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect((error as Error).message).toMatch(/after 1 attempt: .*Check DATABASE_URL/);
    });

    it('keeps retrying at start-up until the database answers', async () => {
      const p = await proxy();
      await p.down();
      const retries: number[] = [];
      const schema = randomSchema();
      schemas.push(schema);
      const store = await PostgresStore.open({
        url: proxiedUrl(p.port),
        schema,
        startupTimeoutMs: 20_000,
        onStartupRetry: (_error, attempt) => {
          retries.push(attempt);
          if (attempt === 2) void p.up();
        },
      });
      stores.push(store);
      expect(retries).toEqual([1, 2]);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('rejects with store_unavailable while the database is gone and recovers without a restart', async () => {
      const p = await proxy();
      const store = await open({
        url: proxiedUrl(p.port),
        schema: randomSchema(),
        connectionTimeoutMs: 1000,
      });
      await store.insertDelivery(delivery('msg_before'));

      await p.down();
      const results = await Promise.allSettled([
        store.insertDelivery(delivery('msg_during_1')),
        store.insertDelivery(delivery('msg_during_2')),
      ]);
      expect(
        results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok')),
      ).toEqual(['store_unavailable', 'store_unavailable']);
      expect((results[0] as PromiseRejectedResult).reason.message).toMatch(
        /^The PostgreSQL store could not commit the delivery \(.+\); the sender should retry later$/,
      );
      await expect(store.ping()).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringMatching(/^PostgreSQL store error: /),
      });

      await p.up();
      await expect(store.insertDelivery(delivery('msg_during_1'))).resolves.toEqual({
        inserted: true,
        status: 'received',
        deliveriesSeen: 1,
      });
      expect((await store.getEvent('msg_before'))!.deliveriesSeen).toBe(1);
    });

    it('answers 503 with Retry-After through the receiver, then 200 and processing once it is back', async () => {
      const p = await proxy();
      const store = await open({
        url: proxiedUrl(p.port),
        schema: randomSchema(),
        connectionTimeoutMs: 1000,
      });
      const receiver = createReceiver({
        store,
        secret: testSecret,
        metrics: new ReceiverMetrics(),
        processing: { pollIntervalMs: 20, retryBaseMs: 20 },
      });
      const server = await new Promise<import('node:http').Server>((resolve) => {
        const s = receiver.listen(0, '127.0.0.1', () => resolve(s));
      });
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      try {
        await p.down();
        const request = signedRequest();
        const down = await fetch(`${url}/webhooks`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('5');
        expect(await down.json()).toEqual({
          error: {
            code: 'store_unavailable',
            message: 'The event store cannot take the delivery right now: retry later',
          },
        });
        expect((await fetch(`${url}/healthz`)).status).toBe(503);

        await p.up();
        const up = await fetch(`${url}/webhooks`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        expect(up.status).toBe(200);
        expect(await up.json()).toEqual({ status: 'accepted', webhook_id: request.id });
        const processed = await eventually('the event processed', async () => {
          const event = await store.getEvent(request.id);
          return event?.status === 'processed' ? event : undefined;
        });
        expect(processed).toMatchObject({ attempts: 1, deliveriesSeen: 1 });
        expect(
          await allProgress(store.reader(lessonProgress), { userId: 'user_xxxxxxxxxxxxx' }),
        ).toHaveLength(1);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await receiver.close();
      }
    });
  });
});
