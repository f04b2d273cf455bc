import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './openStore.js';
import { parseDatabaseUrl } from './parseDatabaseUrl.js';
import type { PostgresStore } from './postgres/PostgresStore.js';
import type { SqliteStore } from './sqlite/SqliteStore.js';
import { dropSchema, randomSchema, testDatabaseUrl } from './test-support/postgresTestDatabase.js';
import { delivery } from './test-support/storeContract.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/x.sqlite', '/srv/data/x.sqlite'],
    ['sqlite:data/x.sqlite', '/srv/data/x.sqlite'],
    ['sqlite:///var/lib/x.sqlite', '/var/lib/x.sqlite'],
    ['file:./x.sqlite', '/srv/x.sqlite'],
    ['file:///var/lib/x.sqlite', '/var/lib/x.sqlite'],
    ['./relative.sqlite', '/srv/relative.sqlite'],
    ['/abs/path.db', '/abs/path.db'],
    ['  SQLITE:./x.sqlite  ', '/srv/x.sqlite'],
    ['sqlite://./rel.sqlite', '/srv/rel.sqlite'],
    ['FILE:///var/lib/x.sqlite', '/var/lib/x.sqlite'],
    ['File:x.sqlite', '/srv/x.sqlite'],
    ['file:///var/lib/my%20x.sqlite', '/var/lib/my x.sqlite'],
    // A scheme counts only at the start: a path that merely contains one is a path.
    ['./archive/postgres://old.sqlite', '/srv/archive/postgres:/old.sqlite'],
    ['./archive/file://old.sqlite', '/srv/archive/file:/old.sqlite'],
    ['./backup/s3://x.sqlite', '/srv/backup/s3:/x.sqlite'],
    ['//data/sqlite:main.db', '/data/sqlite:main.db'],
  ])('reads %s as the SQLite file %s', (url, filename) => {
    expect(parseDatabaseUrl(url, '/srv')).toEqual({ kind: 'sqlite', filename });
  });

  it('recognises PostgreSQL URLs and in-memory SQLite', () => {
    expect(parseDatabaseUrl('postgres://u@h:5432/db')).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    expect(parseDatabaseUrl('postgresql://h/db').kind).toBe('postgres');
    expect(parseDatabaseUrl('postgres://u:p%40ss@h/db?schema=receiver&sslmode=disable')).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p%40ss@h/db?sslmode=disable',
      schema: 'receiver',
    });
    expect(() => parseDatabaseUrl('postgres://h/db?schema=Receiver')).toThrow(/lowercase letters/);
    expect(parseDatabaseUrl(':memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(parseDatabaseUrl('POSTGRESQL://h/db')).toEqual({ kind: 'postgres', url: 'POSTGRESQL://h/db' });
    expect(() => parseDatabaseUrl('postgres://[nope')).toThrow(
      expect.objectContaining({
        message: 'not a valid PostgreSQL URL: use postgres://user:password@host:5432/database',
        cause: expect.any(TypeError),
      }),
    );
    expect(() => parseDatabaseUrl('postgres://h/db?schema=')).toThrow(
      'schema "" is not allowed: use lowercase letters, digits and _ (at most 63), starting with a letter or _',
    );
    expect(parseDatabaseUrl(`postgres://h/db?schema=_${'a'.repeat(62)}`)).toMatchObject({
      schema: `_${'a'.repeat(62)}`,
    });
    expect(() => parseDatabaseUrl(`postgres://h/db?schema=_${'a'.repeat(63)}`)).toThrow(/not allowed/);
    expect(() => parseDatabaseUrl('postgres://h/db?schema=9lives')).toThrow(/not allowed/);
  });

  it('rejects empty values and unknown schemes with what is accepted', () => {
    expect(() => parseDatabaseUrl('  ')).toThrow(
      'the database URL is empty: use sqlite:<path>, a file path or postgres://…',
    );
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(
      'the SQLite path is empty: use sqlite:./.data/receiver.sqlite or a file path',
    );
    expect(() => parseDatabaseUrl('sqlite://')).toThrow(/SQLite path is empty/);
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(
      'unsupported database scheme "mysql": use sqlite:<path>, file:<path>, a plain path or postgres://…',
    );
    expect(() => parseDatabaseUrl('redis+tls://h')).toThrow(/unsupported database scheme "redis\+tls"/);
  });
});

describe('openStore', () => {
  it('refuses a PostgreSQL schema name it cannot use, naming the rule', async () => {
    await expect(openStore('postgres://localhost/test?schema=Bad-Name')).rejects.toMatchObject({
      code: 'unsupported_database',
      message: expect.stringContaining('schema "Bad-Name" is not allowed'),
    });
  });

  it('opens an SQLite store for an SQLite URL', async () => {
    const store = await openStore('sqlite::memory:');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it('refuses a PostgreSQL URL whose options would override the settings the store relies on', () => {
    expect(() => parseDatabaseUrl('postgres://u@h/db?options=-c%20synchronous_commit%3Doff')).toThrow(
      /options parameter sets synchronous_commit, which the receiver sets itself/,
    );
    expect(() =>
      parseDatabaseUrl('postgres://u@h/db?options=--search-path%3Devil%20-c%20lock_timeout%3D0'),
    ).toThrow(/sets search_path, lock_timeout/);
    // Whatever the case and however the names are spelt (pg accepts dashes for underscores).
    expect(() => parseDatabaseUrl('postgres://u@h/db?options=-c%20Synchronous-Commit%3Doff')).toThrow(
      "the URL's options parameter sets synchronous_commit, which the receiver sets itself (durable commits, " +
        'its schema, bounded lock waits): remove them (use ?schema= or DATABASE_SCHEMA for the schema, ' +
        'DATABASE_LOCK_TIMEOUT_MS for the lock timeout)',
    );
    expect(parseDatabaseUrl('postgres://u@h/db?options=-c%20statement_timeout%3D5000')).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db?options=-c%20statement_timeout%3D5000',
    });
  });
});

describe('openStore options', () => {
  it('refuses a URL it cannot read with unsupported_database', async () => {
    await expect(openStore('mysql://h/db')).rejects.toMatchObject({
      code: 'unsupported_database',
      message: expect.stringMatching(/^DATABASE_URL: unsupported database scheme "mysql"/),
      cause: expect.objectContaining({ message: expect.stringMatching(/^unsupported database scheme/) }),
    });
  });

  it('opens an SQLite location as given, with its pending-insert limits', async () => {
    const byCount = await openStore({ kind: 'sqlite', filename: ':memory:' }, { maxPending: 1 });
    const first = byCount.insertDelivery(delivery('msg_1'));
    await expect(byCount.insertDelivery(delivery('msg_2'))).rejects.toMatchObject({
      code: 'store_overloaded',
    });
    await first;
    await byCount.close();
    const byBytes = await openStore('sqlite::memory:', { maxPendingBytes: 10 });
    await expect(
      byBytes.insertDelivery(delivery('msg_big', { body: Buffer.alloc(11) })),
    ).rejects.toMatchObject({ code: 'store_overloaded' });
    await byBytes.close();
  });

  it('resolves a relative SQLite path against cwd', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-open-'));
    try {
      const store = await openStore('sqlite:nested/events.sqlite', { cwd: dir });
      expect((store as SqliteStore).filename).toBe(path.join(dir, 'nested', 'events.sqlite'));
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL with the schema from the URL and the pool, lock and pending-insert settings given', async () => {
    const schema = randomSchema();
    try {
      const store = (await openStore(`${testDatabaseUrl}?schema=${schema}`, {
        poolSize: 2,
        lockTimeoutMs: 1234,
        maxPending: 1,
        maxPendingBytes: 1000,
      })) as PostgresStore;
      expect(store.schema).toBe(schema);
      expect(await store.sessionSettings('lock_timeout')).toEqual(['1234ms', '1234ms']);
      const first = store.insertDelivery(delivery('msg_1'));
      await expect(store.insertDelivery(delivery('msg_2'))).rejects.toMatchObject({
        code: 'store_overloaded',
      });
      await first;
      await expect(
        store.insertDelivery(delivery('msg_big', { body: Buffer.alloc(1001) })),
      ).rejects.toMatchObject({ code: 'store_overloaded' });
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it('gives up on an unreachable PostgreSQL after startupTimeoutMs, telling onStartupRetry each back-off', async () => {
    const retries: [number, number][] = [];
    const error = await openStore('postgres://postgres@127.0.0.1:1/none', {
      startupTimeoutMs: 1500,
      onStartupRetry: (_error, attempt, delayMs) => retries.push([attempt, delayMs]),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    // Doubling from 250 ms; the attempt whose back-off would pass the deadline is the last.
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries).toEqual(retries.map((_, i) => [i + 1, 250 * 2 ** i]));
    expect((error as Error).message).toContain(`after ${retries.length + 1} attempts`);
  });
});
