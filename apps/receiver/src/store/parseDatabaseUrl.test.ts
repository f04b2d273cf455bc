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
    expect(parseDatabaseUrl(':memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
  });

  it('rejects empty values and unknown schemes with what is accepted', () => {
    expect(() => parseDatabaseUrl('  ')).toThrow(/empty/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/SQLite path is empty/);
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(/unsupported database scheme "mysql"/);
  });
});

describe('openStore', () => {
  it('refuses PostgreSQL for now with a clear message', async () => {
    await expect(openStore('postgres://localhost/test')).rejects.toMatchObject({
      code: 'unsupported_database',
      message: expect.stringContaining('PostgreSQL support is not built yet'),
    });
  });

  it('opens an SQLite store for an SQLite URL', async () => {
    const store = await openStore('sqlite::memory:');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});
