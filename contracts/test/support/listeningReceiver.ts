// A real, listening receiver for the receiver-side contract tests: createReceiver(...).listen(0)
// over a SQLite file in a fresh temp folder, the read API on, stopped and removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ContractMode,
  createReceiver,
  type ReceiverOptions,
  SqliteStore,
} from '@webhook-contracts/receiver';
import { ReadApi } from './readApi.js';

export interface ListeningReceiver {
  /** Base URL, e.g. http://127.0.0.1:54321; the webhook endpoint is `${url}/webhooks`. */
  url: string;
  readApi: ReadApi;
  stop(): Promise<void>;
}

const apiToken = 'contract-suite-read-token';

export async function startListeningReceiver(options: {
  secret: string;
  contractMode: ContractMode;
  handlers?: ReceiverOptions['handlers'];
}): Promise<ListeningReceiver> {
  const dir = mkdtempSync(join(tmpdir(), 'contracts-receiver-'));
  const store = new SqliteStore({ filename: join(dir, 'receiver.sqlite') });
  const receiver = createReceiver({
    store,
    secret: options.secret,
    contractMode: options.contractMode,
    apiToken,
    ...(options.handlers ? { handlers: options.handlers } : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = receiver.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    readApi: new ReadApi(url, apiToken),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await receiver.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
