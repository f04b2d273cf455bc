// The sender's transport for plain-HTTP receivers: HTTP/1.1 over kept-alive `node:net` sockets, at
// most `concurrency` per origin, one request at a time on each (no pipelining: a webhook POST is not
// idempotent). Each attempt is written as one Buffer (head and body: a single write, no writev),
// and its answer read by ResponseParser straight from a read buffer shared by every connection (the
// socket's `onread`: no Buffer, stream push or 'data' event per read). A general-purpose client
// (undici) costs about twice the CPU per request of this one, which is most of a fast run's work.
// A connection idle for longer than the receiver's Keep-Alive timeout (less a second) is not
// reused; one per-attempt deadline covers the wait for a connection and the whole exchange, and all
// deadlines of a duration share one timer.
import { connect as netConnect, type Socket } from 'node:net';
import {
  type AttemptOutcome,
  CappedBody,
  failedOutcome,
  type HttpClient,
  type PostRequest,
  RequestTimeout,
  responseOutcome,
} from './attemptOutcome.js';
import { type Deadline, DeadlineQueues } from './deadlineQueue.js';
import { type ResponseHandler, ResponseParser } from './ResponseParser.js';

/** An idle connection is reused only this long without a Keep-Alive hint (Node's server keeps 5 s). */
const DEFAULT_IDLE_MS = 4_000;
/** Kept off the receiver's Keep-Alive timeout, so the receiver does not close a socket as we write. */
const IDLE_MARGIN_MS = 1_000;
/**
 * Where every connection's reads land. Each read is parsed before the next one can happen (reads
 * are delivered one at a time on the main thread), and the parser copies what it keeps, so one
 * buffer serves them all.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

// RFC 9110 tokens for names; values without CR, LF or NUL (undici's own rule).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** The body of an answer that had none (never added to). */
const NO_BODY = new CappedBody();

class ClientDestroyed extends Error {
  constructor() {
    super('The client is destroyed');
  }
}

class ConnectionClosed extends Error {
  constructor() {
    super('other side closed');
  }
}

/** One attempt: waits for a connection, then reads its answer through the parser. */
class Attempt implements ResponseHandler {
  private status = 0;
  private retryAfter: string | undefined;
  /** Created by the first body byte: most answers a fast run reads have none. */
  private body: CappedBody | undefined;
  private settled = false;
  readonly started = performance.now();
  deadline: Deadline | undefined;
  connection: Connection | undefined;

  constructor(
    readonly head: string,
    readonly payload: Buffer,
    private readonly timeoutMs: number,
    private readonly resolve: (outcome: AttemptOutcome) => void,
  ) {}

  get done(): boolean {
    return this.settled;
  }

  /** The head (latin1: header values are checked to be single bytes) and the body, in one Buffer. */
  request(): Buffer {
    const { head, payload } = this;
    const bytes = Buffer.allocUnsafe(head.length + payload.length);
    bytes.write(head, 0, 'latin1');
    payload.copy(bytes, head.length);
    return bytes;
  }

  onHead(status: number, retryAfter: string | undefined): void {
    this.status = status;
    this.retryAfter = status >= 200 && status < 300 ? undefined : retryAfter;
  }

  onBody(chunk: Buffer): void {
    this.body ??= new CappedBody();
    // The chunk lies in the shared read buffer: what is kept is copied out.
    if (this.body.wants) this.body.add(Buffer.from(chunk));
  }

  onEnd(reusable: boolean): void {
    const connection = this.connection;
    this.connection = undefined;
    this.finish(responseOutcome(this.status, this.body ?? NO_BODY, this.retryAfter, this.started));
    connection?.release(reusable);
  }

  fail(error: Error): void {
    this.connection = undefined;
    this.finish(failedOutcome(error, this.timeoutMs, performance.now() - this.started));
  }

  /** The deadline passed: the exchange on a connection is cut (that connection closes). */
  expire(): void {
    const connection = this.connection;
    if (connection === undefined) this.fail(new RequestTimeout());
    else connection.destroy(new RequestTimeout());
  }

  private finish(outcome: AttemptOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline?.cancel();
    this.resolve(outcome);
  }
}

class Connection {
  private readonly socket: Socket;
  private readonly parser = new ResponseParser();
  private attempt: Attempt | undefined;
  private connected = false;
  private closed = false;
  idleSince = 0;

  constructor(
    private readonly pool: Pool,
    host: string,
    port: number,
  ) {
    this.socket = netConnect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length: number, buffer: Uint8Array) => {
          try {
            this.parser.push((buffer as Buffer).subarray(0, length));
          } catch (error) {
            this.destroy(error as Error);
          }
          // Keep reading (false would pause the socket).
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      pool.ready(this);
    });
    this.socket.on('error', (error) => this.close(error));
    this.socket.on('close', () => this.close(undefined));
  }

  /** How long this connection may sit idle and still be reused. */
  get idleLimitMs(): number {
    const hint = this.parser.keepAliveTimeoutMs;
    return hint === undefined ? DEFAULT_IDLE_MS : Math.max(0, hint - IDLE_MARGIN_MS);
  }

  send(attempt: Attempt): void {
    this.attempt = attempt;
    attempt.connection = this;
    this.parser.expect(attempt);
    this.socket.write(attempt.request());
  }

  /** The answer is complete: back to the pool, or closed when it cannot carry another request. */
  release(reusable: boolean): void {
    this.attempt = undefined;
    if (this.closed) return;
    // A receiver that answered before reading the whole body may not expect another request.
    if (!reusable || this.socket.writableLength > 0) this.destroy(undefined);
    else this.pool.ready(this);
  }

  destroy(error: Error | undefined): void {
    this.socket.destroy();
    this.close(error);
  }

  private close(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const attempt = this.attempt;
    this.attempt = undefined;
    // An answer framed by the end of the connection is complete when it closes cleanly.
    if (attempt !== undefined && !(error === undefined && this.parser.end()))
      attempt.fail(error ?? new ConnectionClosed());
    this.pool.removed(this, this.connected ? undefined : (error ?? new ConnectionClosed()));
  }
}

/** The connections to one origin and the attempts waiting for one. */
class Pool {
  private readonly connections = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private waiting: Attempt[] = [];
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
  ) {}

  dispatch(attempt: Attempt): void {
    if (this.closed) {
      attempt.fail(new ClientDestroyed());
      return;
    }
    const now = performance.now();
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (now - connection.idleSince <= connection.idleLimitMs) {
        connection.send(attempt);
        return;
      }
      connection.destroy(undefined);
    }
    this.waiting.push(attempt);
    if (this.connections.size < this.max) this.open();
  }

  /** A connection is free: it takes the oldest attempt still waiting, or goes idle. */
  ready(connection: Connection): void {
    const next = this.nextWaiting();
    if (next !== undefined) connection.send(next);
    else {
      connection.idleSince = performance.now();
      this.idle.push(connection);
    }
  }

  /** A connection closed; one that never connected fails the oldest waiting attempt with its error. */
  removed(connection: Connection, connectError: Error | undefined): void {
    this.connections.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    if (this.closed) return;
    if (connectError !== undefined) this.nextWaiting()?.fail(connectError);
    if (this.waiting.length > 0 && this.connections.size < this.max) this.open();
  }

  close(): void {
    this.closed = true;
    const error = new ClientDestroyed();
    for (const attempt of this.waiting) attempt.fail(error);
    this.waiting = [];
    for (const connection of [...this.connections]) connection.destroy(error);
  }

  private open(): void {
    this.connections.add(new Connection(this, this.host, this.port));
  }

  private nextWaiting(): Attempt | undefined {
    // Attempts whose deadline passed while waiting are settled already: they never go out.
    for (let attempt = this.waiting.shift(); attempt !== undefined; attempt = this.waiting.shift()) {
      if (!attempt.done) return attempt;
    }
    return undefined;
  }
}

interface Target {
  pool: Pool;
  /** The request line, Host and Connection: the head's fixed start for this URL. */
  prefix: string;
}

/** `name: value\r\n` lines, or undefined when a name or value could not be sent as it is. */
function headerLines(headers: PostRequest['headers']): string | undefined {
  const list = Array.isArray(headers)
    ? (headers as readonly string[])
    : Object.entries(headers as Readonly<Record<string, string>>).flat();
  let lines = '';
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    if (!HEADER_NAME.test(name) || INVALID_VALUE.test(value)) return undefined;
    lines += `${name}: ${value}\r\n`;
  }
  return lines;
}

/**
 * A client for `http:` URLs whose `post` resolves with the outcome of one attempt (never rejects).
 *
 * @example
 * const client = createSocketClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createSocketClient(options: { concurrency: number }): HttpClient {
  const max = Math.max(1, options.concurrency);
  const pools = new Map<string, Pool>();
  const targets = new WeakMap<URL, Target>();
  const deadlines = new DeadlineQueues();
  let closed = false;

  const targetOf = (url: URL): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      if (url.protocol !== 'http:')
        throw new TypeError(`the socket client sends to http: URLs, not ${url.protocol}`);
      let pool = pools.get(url.host);
      if (pool === undefined) {
        // WHATWG URLs keep an IPv6 literal in brackets; the socket wants it bare.
        const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
        pool = new Pool(host, Number(url.port || 80), max);
        if (closed) pool.close();
        pools.set(url.host, pool);
      }
      target = {
        pool,
        prefix: `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`,
      };
      targets.set(url, target);
    }
    return target;
  };

  return {
    post({ url, headers, body, timeoutMs }: PostRequest) {
      const target = targetOf(url);
      const lines = headerLines(headers);
      return new Promise<AttemptOutcome>((resolve) => {
        const head =
          lines === undefined ? '' : `${target.prefix}content-length: ${body.length}\r\n${lines}\r\n`;
        const attempt = new Attempt(head, body, timeoutMs, resolve);
        if (lines === undefined) {
          attempt.fail(new TypeError('a header name or value holds characters HTTP cannot carry'));
          return;
        }
        attempt.deadline = deadlines.add(timeoutMs, () => attempt.expire());
        target.pool.dispatch(attempt);
      });
    },
    close() {
      closed = true;
      deadlines.clear();
      for (const pool of pools.values()) pool.close();
    },
  };
}
