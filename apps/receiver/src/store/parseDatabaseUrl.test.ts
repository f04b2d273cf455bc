import { describe, expect, it } from 'vitest';
import { openStore } from './openStore.js';
import { parseDatabaseUrl } from './parseDatabaseUrl.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/x.sqlite', '/srv/data/x.sqlite'],
    ['sqlite:data/x.sqlite', '/srv/data/x.sqlite'],
    ['sqlite:///var/lib/x.sqlite', '/var/lib/x.sqlite'],
    ['file:./x.sqlite', '/srv/x.sqlite'],
    ['file:///var/lib/x.sqlite', '/var/lib/x.sqlite'],
    ['./relative.sqlite', '/srv/relative.sqlite'],
    ['/abs/path.db', '/abs/path.db'],
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
  });

  it('rejects empty values and unknown schemes with what is accepted', () => {
    expect(() => parseDatabaseUrl('  ')).toThrow(/empty/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/SQLite path is empty/);
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(/unsupported database scheme "mysql"/);
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
    expect(parseDatabaseUrl('postgres://u@h/db?options=-c%20statement_timeout%3D5000')).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db?options=-c%20statement_timeout%3D5000',
    });
  });
});
