import { describe, expect, it } from 'vitest';
import {
  connectionConfig,
  describeError,
  isTransient,
  migrateWithRetry,
  splitSchemaParam,
} from './PostgresConnection.js';

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
});
