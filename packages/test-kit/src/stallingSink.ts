// A webhook target that takes every request and never answers: what a hung receiver looks like to
// a sender. It counts what reached it and the sockets still open, so a test can see a sender give
// up on an attempt and close its connection.
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { listenLocally } from './listenLocally.js';

export interface StallingSink {
  /** `http://127.0.0.1:<port>/webhooks`. */
  url: string;
  /** Requests that have arrived so far. */
  received: () => number;
  /** Connections to it still open. */
  open: () => number;
  /** Drops open connections and stops listening. */
  close: () => Promise<void>;
}

/**
 * Listens on a free loopback port; call close() afterwards.
 *
 * @example
 * const sink = await startStallingSink();
 * // … send to sink.url with a short attempt timeout …
 * await eventually('the sender to give up', () => (sink.open() === 0 ? true : undefined));
 * await sink.close();
 */
export async function startStallingSink(): Promise<StallingSink> {
  let received = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req) => {
    received++;
    req.resume();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const local = await listenLocally(server);
  return {
    url: `${local.url}/webhooks`,
    received: () => received,
    open: () => sockets.size,
    close: local.close,
  };
}
