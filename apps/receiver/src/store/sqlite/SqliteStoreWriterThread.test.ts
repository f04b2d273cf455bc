// The Store contract on an SQLite file with its writes in the writer thread (the default for a
// file). Each test starts a thread, so the mutation run (scripts/mutationGroups.mjs) leaves this
// file out: the same contract runs in-thread in SqliteStore.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeStoreContract } from '../test-support/storeContract.js';
import { SqliteStore } from './SqliteStore.js';

describeStoreContract('SqliteStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-sqlite-'));
  return {
    store: new SqliteStore({ filename: path.join(dir, 'nested', 'events.sqlite') }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});
