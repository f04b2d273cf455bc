// A real, listening receiver for the receiver-side contract tests: createReceiver(...).listen(0)
// over a SQLite file in a fresh temp folder, the read API on, stopped and removed after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ContractMode,
  createReceiver,
  type ReceiverOptions,
  SqliteStore,
} from '@webhook-contracts/receiver';
import { listenLocally, ReadApi } from '@webhook-contracts/test-kit';

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
  const local = await listenLocally(receiver);
  return {
    url: local.url,
    readApi: new ReadApi(local.url, apiToken),
    async stop() {
      await local.close();
      await receiver.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
