// A TCP forwarder on 127.0.0.1 that plays a database host gone from the network: `down()` cuts
// every connection through it and stops listening, so new ones are refused (ECONNREFUSED) until
// `up()` listens again on the same port. The database itself is never touched.
import * as net from 'node:net';

export interface OutageProxy {
  readonly port: number;
  /** Cuts every open connection and refuses new ones. */
  down(): Promise<void>;
  /** Forwards again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts forwarding 127.0.0.1:<any free port> to `targetHost:targetPort`.
 *
 * @example
 * const proxy = await startOutageProxy('127.0.0.1', 5432);
 * await proxy.down(); // connections through proxy.port are cut and refused
 * await proxy.up();
 */
export async function startOutageProxy(targetHost: string, targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    down,
    up: listen,
    close: down,
  };
}
