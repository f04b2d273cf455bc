// Starts a real receiver on an ephemeral port over a real SQLite file in a temp folder.
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
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
  const server: Server = await new Promise((resolve) => {
    const s = receiver.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    receiver,
    store,
    filename,
    dir,
    async stop({ keepFiles = false } = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await receiver.close();
      await store.close();
      if (!keepFiles) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${last === undefined ? '' : `: ${String(last)}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function authed(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiToken}`, ...extra };
}
