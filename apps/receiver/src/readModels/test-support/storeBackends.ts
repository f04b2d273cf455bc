// The stores a read model's tests run on: SQLite in memory, an SQLite file written by its writer
// thread (effects cross to it by structured clone) and PostgreSQL, each opened fresh and removed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../store/core/Store.js';
import { PostgresStore } from '../../store/postgres/PostgresStore.js';
import { SqliteStore } from '../../store/sqlite/SqliteStore.js';
import { dropSchema, randomSchema, testDatabaseUrl } from '../../store/test-support/postgresTestDatabase.js';

export interface StoreBackend {
  name: string;
  open(): Promise<{ store: Store; cleanup: () => Promise<void> | void }>;
}

export const storeBackends: readonly StoreBackend[] = [
  {
    name: 'SQLite in memory',
    open: async () => ({ store: new SqliteStore({ filename: ':memory:' }), cleanup: () => {} }),
  },
  {
    name: 'SQLite file (writer thread)',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-read-model-'));
      return {
        store: new SqliteStore({ filename: path.join(dir, 'events.sqlite') }),
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const schema = randomSchema();
      return {
        store: await PostgresStore.open({ url: testDatabaseUrl, schema, poolSize: 2, leaseClock: 'caller' }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

/**
 * Opens a fresh store of `backend` before each test of the calling suite and removes it after;
 * `store()` is the current one, `reopen()` starts again from an empty store within a test.
 */
export function useStoreBackend(backend: StoreBackend): { store: () => Store; reopen: () => Promise<void> } {
  let opened: Awaited<ReturnType<StoreBackend['open']>> | undefined;
  async function close() {
    const current = opened;
    opened = undefined;
    await current?.store.close();
    await current?.cleanup();
  }
  beforeEach(async () => {
    opened = await backend.open();
  });
  afterEach(close);
  return {
    store: () => {
      if (opened === undefined) throw new Error(`no ${backend.name} store is open: use it inside a test`);
      return opened.store;
    },
    reopen: async () => {
      await close();
      opened = await backend.open();
    },
  };
}
