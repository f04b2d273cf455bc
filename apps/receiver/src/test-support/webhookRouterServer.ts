// A webhook router on an in-memory SQLite store, mounted at /webhooks of an Express app listening
// on a free local port: what the HTTP layer's tests send their requests to.

import { listenLocally } from '@webhook-contracts/test-kit';
import express from 'express';
import { createWebhookRouter, type WebhookRouterOptions } from '../http/createWebhookRouter.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { testSecret } from './signedRequest.js';

export interface WebhookRouterServer {
  url: string;
  port: number;
  store: SqliteStore;
  /** Drops open connections, stops listening and closes the store. */
  close: () => Promise<void>;
}

/** Serves createWebhookRouter({ secret: testSecret, store, ...options }); call close() afterwards. */
export async function serveWebhookRouter(
  options: Partial<WebhookRouterOptions> = {},
): Promise<WebhookRouterServer> {
  const store = new SqliteStore({ filename: ':memory:' });
  const app = express();
  app.use('/webhooks', createWebhookRouter({ secret: testSecret, store, ...options }));
  const server = await listenLocally(app);
  return {
    url: `${server.url}/webhooks`,
    port: server.port,
    store,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
