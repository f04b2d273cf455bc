// Starts a real receiver on an ephemeral port over a real SQLite file in a temp folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listenLocally } from '@webhook-contracts/test-kit';
import { createReceiver, type Receiver, type ReceiverOptions } from '../createReceiver.js';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { testSecret } from './signedRequest.js';

export interface RunningReceiver {
  url: string;
  receiver: Receiver;
  store: SqliteStore;
  filename: string;
  dir: string;
  /** Stops the server and the processor, closes the store; `keepFiles` leaves the database for a restart. */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

export const apiToken = 'test-read-api-token-0123456789';

export async function startReceiver(
  options: Partial<ReceiverOptions> & { dir?: string } = {},
): Promise<RunningReceiver> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-e2e-'));
  const filename = path.join(dir, 'receiver.sqlite');
  const store = new SqliteStore({ filename });
  const receiver = createReceiver({
    secret: testSecret,
    apiToken,
    metrics: new ReceiverMetrics(),
    ...options,
    store,
    processing: { pollIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 200, ...options.processing },
  });
  const local = await listenLocally(receiver);
  return {
    url: local.url,
    receiver,
    store,
    filename,
    dir,
    async stop({ keepFiles = false } = {}) {
      await local.close();
      await receiver.close();
      await store.close();
      if (!keepFiles) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function authed(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiToken}`, ...extra };
}
