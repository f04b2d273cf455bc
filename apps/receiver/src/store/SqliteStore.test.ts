import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './SqliteStore.js';
import { delivery, describeStoreContract } from './test-support/storeContract.js';

function tempFile(): { filename: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-sqlite-'));
  return { dir, filename: path.join(dir, 'nested', 'events.sqlite') };
}

describeStoreContract('SqliteStore', async () => {
  const { dir, filename } = tempFile();
  return {
    store: new SqliteStore({ filename }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes deliveries queued in one event-loop turn in a single commit', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    const before = store.commitCount;
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.insertDelivery(delivery(`msg_${i}`))));
    expect(store.commitCount - before).toBe(1);
    await store.insertDelivery(delivery('msg_next_turn'));
    expect(store.commitCount - before).toBe(2);
    await store.close();
  });

  it('uses WAL with synchronous=FULL and keeps rows across reopen', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    await store.insertDelivery(delivery('msg_kept'));
    await store.close();

    const raw = new Database(filename, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const reopened = new SqliteStore({ filename });
    expect((await reopened.getEvent('msg_kept'))!.status).toBe('received');
    await reopened.close();
  });

  it('rejects every caller of a failed batch with store_unavailable', async () => {
    const { dir, filename } = tempFile();
    dirs.push(dir);
    const store = new SqliteStore({ filename });
    // Dropping the table underneath the store makes the next batch's transaction fail.
    const raw = new Database(filename);
    raw.exec('DROP TABLE webhook_events');
    raw.close();
    const results = await Promise.allSettled([
      store.insertDelivery(delivery('msg_a')),
      store.insertDelivery(delivery('msg_b')),
    ]);
    expect(
      results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok')),
    ).toEqual(['store_unavailable', 'store_unavailable']);
    await store.close();
  });
});
