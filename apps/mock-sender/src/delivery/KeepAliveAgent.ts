// A keep-alive agent for plain http that does only what the sender needs. node:http's own Agent
// does a lot per request (copies the options, builds a pool key, reads the response's Keep-Alive
// header, updates socket timeouts and async ids); with a bounded pool in front of it, reusing the
// most recently freed connection is all that is needed, and that costs about a third of the
// per-request CPU of node:http on the sender's hot path.
//
// It never queues: `send()` has at most `concurrency` attempts in flight, so it never holds more
// than that many connections. Idle connections are unref'd (they never keep the process alive),
// dropped when the server closes them, and destroyed on an error while idle.
// Under msw the interceptor swaps in its own agent, so tests that mock HTTP never reach this class;
// its tests run against real sockets.
import type * as HttpModule from 'node:http';
import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';

// The CommonJS module object, as in httpClient.ts.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof HttpModule;

interface ConnectOptions {
  host?: string | null;
  port?: string | number | null;
}

/** node:http marks the request a socket serves; null when the socket is idle. */
type HttpSocket = Socket & { _httpMessage?: unknown };

export class KeepAliveAgent extends http.Agent {
  readonly #idle = new Map<string, HttpSocket[]>();
  readonly #open = new Set<HttpSocket>();

  constructor() {
    super({ keepAlive: true });
  }

  /** How many connections are open, in use or idle. */
  get openConnections(): number {
    return this.#open.size;
  }

  /** How many connections wait idle for the next request. */
  get idleConnections(): number {
    let count = 0;
    for (const list of this.#idle.values()) count += list.length;
    return count;
  }

  /** Called by node:http's ClientRequest for every request made through this agent. */
  addRequest(request: ClientRequest, options: ConnectOptions): void {
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 80);
    const key = `${host}:${port}`;
    const idle = this.#idle.get(key);
    let socket = idle?.pop();
    while (socket !== undefined && (socket.destroyed || !socket.writable)) {
      socket.destroy();
      socket = idle?.pop();
    }
    if (socket !== undefined) {
      socket.ref();
      request.reusedSocket = true;
      request.onSocket(socket);
      return;
    }
    const fresh: HttpSocket = connect({ host, port, noDelay: true, keepAlive: true });
    this.#open.add(fresh);
    // ClientRequest emits 'free' on the socket once a keep-alive exchange is complete.
    fresh.on('free', () => this.#release(key, fresh));
    // While a request uses the socket, the request handles its errors; an idle one is dropped.
    fresh.on('error', () => {
      if (fresh._httpMessage == null) fresh.destroy();
    });
    fresh.on('close', () => {
      this.#open.delete(fresh);
      const list = this.#idle.get(key);
      const index = list?.indexOf(fresh) ?? -1;
      if (index >= 0) list?.splice(index, 1);
    });
    request.onSocket(fresh);
  }

  #release(key: string, socket: HttpSocket): void {
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    socket._httpMessage = null;
    socket.unref();
    let list = this.#idle.get(key);
    if (list === undefined) {
      list = [];
      this.#idle.set(key, list);
    }
    list.push(socket);
  }

  /** Closes every connection, idle or in use. */
  override destroy(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    this.#idle.clear();
    super.destroy();
  }
}
