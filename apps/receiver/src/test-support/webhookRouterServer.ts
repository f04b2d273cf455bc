// A webhook router on an in-memory SQLite store, mounted at /webhooks of an Express app listening
// on a free local port: what the HTTP layer's tests send their requests to.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createWebhookRouter, type WebhookRouterOptions } from '../http/createWebhookRouter.js';
import { SqliteStore } from '../store/SqliteStore.js';
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
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}
