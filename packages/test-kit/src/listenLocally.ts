// A request listener (an Express app, a router, a bare handler) served on a free loopback port.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  server: Server;
  /** Drops open connections and stops listening. */
  close: () => Promise<void>;
}

/**
 * Listens on 127.0.0.1 at a free port; call close() afterwards.
 *
 * @example
 * const local = await listenLocally(app);
 * await fetch(`${local.url}/healthz`);
 * await local.close();
 */
export async function listenLocally(app: RequestListener | Server): Promise<LocalServer> {
  const server = typeof app === 'function' ? createServer(app) : app;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
