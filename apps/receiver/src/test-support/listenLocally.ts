// An Express app (or any request listener) listening on a free loopback port, for the HTTP tests.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Drops open connections and stops listening. */
  close: () => Promise<void>;
}

/** Listens on 127.0.0.1 at a free port; call close() afterwards. */
export async function listenLocally(app: RequestListener): Promise<LocalServer> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
