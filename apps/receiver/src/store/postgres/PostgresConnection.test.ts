import { eventually } from '@webhook-contracts/test-kit';
import { describe, expect, it, vi } from 'vitest';
import {
  countSessions,
  dropSchema,
  randomSchema,
  testDatabaseUrl,
  withAdminClient,
} from '../test-support/postgresTestDatabase.js';
import {
  connectionConfig,
  describeError,
  isTransient,
  migrateWithRetry,
  splitSchemaParam,
} from './PostgresConnection.js';
import { migrations, migrationsTable, quoteIdentifier } from './PostgresMigrations.js';

const coded = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('PostgresConnection', () => {
  it('gives each session its schema, durable commits and lock timeout, over the caller’s pool settings', () => {
    expect(connectionConfig('postgres://h/db', 'rx', { url: 'postgres://h/db' }, 5000, { max: 3 })).toEqual({
      max: 3,
      connectionString: 'postgres://h/db',
      connectionTimeoutMillis: 5000,
      application_name: `webhook-receiver:${process.pid}`,
      options: '-c search_path=rx -c synchronous_commit=on -c lock_timeout=5000',
    });
    expect(
      connectionConfig(
        'postgres://h/db',
        'rx',
        { url: 'x', connectionTimeoutMs: 700, applicationName: 'app' },
        0,
        {},
      ),
    ).toMatchObject({
      connectionTimeoutMillis: 700,
      application_name: 'app',
      options: expect.stringMatching(/lock_timeout=0$/),
    });
  });

  it('splits ?schema= off a PostgreSQL URL and refuses anything else as unsupported_database', () => {
    expect(splitSchemaParam('postgres://h/db?schema=rx')).toEqual({ url: 'postgres://h/db', schema: 'rx' });
    expect(splitSchemaParam('postgres://h/db')).toEqual({ url: 'postgres://h/db', schema: undefined });
    expect(() => splitSchemaParam('mysql://h/db')).toThrow(
      expect.objectContaining({
        code: 'unsupported_database',
        message: expect.stringMatching(/^DATABASE_URL: unsupported/),
        cause: expect.any(Error),
      }),
    );
    expect(() => splitSchemaParam(':memory:')).toThrow(
      expect.objectContaining({
        code: 'unsupported_database',
        message: 'PostgresStore needs a postgres:// or postgresql:// URL: use SqliteStore for SQLite',
      }),
    );
  });

  it('puts the error code before a message that does not name it, and describes the first of several', () => {
    expect(describeError(coded('28P01', 'password authentication failed'))).toBe(
      '28P01 password authentication failed',
    );
    expect(describeError(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(
      describeError(
        new AggregateError([coded('ECONNREFUSED', 'connect ::1'), coded('X', 'second')], 'all failed'),
      ),
    ).toBe('ECONNREFUSED connect ::1');
    expect(describeError(new AggregateError([], 'nothing inside'))).toBe('nothing inside');
  });

  it.each([
    ['ECONNREFUSED', true],
    ['ECONNRESET', true],
    ['ETIMEDOUT', true],
    ['EHOSTUNREACH', true],
    ['ENETUNREACH', true],
    ['EAI_AGAIN', true],
    ['EPIPE', true],
    ['57P01', true],
    ['57P03', true],
    ['53300', true],
    ['57P04', false],
    ['X57P01', false],
    ['57P011', false],
    ['28P01', false],
    ['3D000', false],
    ['ENOTFOUND', false],
    ['XECONNREFUSED', false],
  ])('counts an error with code %s as transient: %s', (code, transient) => {
    expect(isTransient(coded(code))).toBe(transient);
  });

  it('judges an error without a code by its message, and several errors by the first', () => {
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('query read TIMEOUT'))).toBe(true);
    expect(isTransient(new Error('connection was terminated'))).toBe(true);
    expect(isTransient(new Error('syntax error'))).toBe(false);
    expect(isTransient(new AggregateError([coded('ECONNREFUSED'), coded('28P01')]))).toBe(true);
    expect(isTransient(new AggregateError([coded('28P01'), coded('ECONNREFUSED')]))).toBe(false);
    expect(isTransient(new AggregateError([], 'timeout'))).toBe(true);
  });

  it('retries an unreachable database without an onStartupRetry callback, then fails with the cause', async () => {
    const error = await migrateWithRetry(
      { url: 'postgres://postgres@127.0.0.1:1/none', startupTimeoutMs: 600 },
      'public',
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(
        /^Cannot prepare the PostgreSQL database \(schema "public"\) after \d attempts?: .*ECONNREFUSED/,
      ),
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
  });

  it('makes a last attempt whose back-off ends exactly at the start-up deadline', async () => {
    // A clock that stands still: attempt 1 fails at the start, and its 250 ms back-off ends
    // exactly at the deadline; attempt 2's 500 ms would end after it.
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      const error = await migrateWithRetry(
        { url: 'postgres://postgres@127.0.0.1:1/none', startupTimeoutMs: 250 },
        'public',
      ).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/after 2 attempts: .*ECONNREFUSED/);
    } finally {
      now.mockRestore();
    }
  });

  it('closes its migration connection once the schema is ready', async () => {
    const schema = randomSchema();
    const applicationName = `wc-migrate-${schema}`;
    const sessions = () => countSessions(applicationName);
    try {
      await migrateWithRetry({ url: testDatabaseUrl, applicationName }, schema);
      // The server notices a closed connection a moment later: wait for it, then look once more.
      await eventually('sessions() === 0', async () => ((await sessions()) === 0 ? true : undefined));
      expect(await sessions()).toBe(0);
    } finally {
      await dropSchema(schema);
    }
  });

  it('retries, without crashing, a start-up whose session the server ends while it waits for the migration lock', async () => {
    const schema = randomSchema();
    const applicationName = `wc-migrate-${schema}`;
    const lockKey = `webhook-contracts/receiver:${schema}`;
    const retried: string[] = [];
    // An 'error' event nobody listens to would surface here (and end a real process).
    const crashes: unknown[] = [];
    const crash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', crash);
    try {
      await withAdminClient(async (holder) => {
        // Another instance is migrating this schema.
        await holder.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
        const migrating = migrateWithRetry(
          {
            url: testDatabaseUrl,
            applicationName,
            startupTimeoutMs: 20_000,
            onStartupRetry: (error) => retried.push(describeError(error)),
          },
          schema,
        );
        // Once it waits for the lock, its session is ended, as in a fail-over or by an operator.
        await eventually('the waiting session terminated', async () => {
          const { rowCount } = await holder.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [applicationName],
          );
          return rowCount === 1 ? true : undefined;
        });
        await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
        await migrating;
      });
      expect(crashes).toEqual([]);
      expect(retried).toEqual([expect.stringMatching(/^57P01 terminating connection/)]);
      const versions = await withAdminClient(
        async (c) =>
          (
            await c.query(
              `SELECT version FROM ${quoteIdentifier(schema)}.${migrationsTable} ORDER BY version`,
            )
          ).rows,
      );
      expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
    } finally {
      process.off('uncaughtException', crash);
      await dropSchema(schema);
    }
  });
});
