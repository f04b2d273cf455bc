// The signed load: each of `connections` kept-alive sockets sends one request, reads the whole
// answer, then sends the next (no pipelining), until `seconds` have passed; the requests in flight
// then finish. Each request is built by the caller (a fresh webhook-id and signature) and written as
// one buffer. Answers are read by a minimal HTTP/1.1 parser: a status line, a Content-Length and
// that many bytes (any other framing fails the run). Against autocannon with a setupRequest per
// request, this costs the shared machine about half the CPU per request: on 2 cores that is CPU
// the server under test keeps.
import { connect, type Socket } from 'node:net';
import type { LoadResult } from './load.js';

export interface SocketLoadOptions {
  url: URL;
  connections: number;
  seconds: number;
  /** One whole request (head and body), made anew for each send. */
  request: () => Buffer;
  /** A request that gets no answer within this long fails the run (default 10 s). */
  timeoutMs?: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n|$)/i;
const CLOSE = /\r\nconnection:[ \t]*close[ \t]*(?=\r\n|$)/i;

class LoadError extends Error {}

/** The answers counted so far and every answered request's latency. */
class Tally {
  ok = 0;
  non2xx = 0;
  errors = 0;
  timeouts = 0;
  private latencies = new Float64Array(1 << 16);
  private count = 0;

  answered(status: number, ms: number): void {
    if (status >= 200 && status < 300) this.ok++;
    else this.non2xx++;
    if (this.count === this.latencies.length) {
      const grown = new Float64Array(this.count * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.count++] = ms;
  }

  /** The latency at quantile `q`, in whole ms (autocannon's unit). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const sorted = this.latencies.subarray(0, this.count).sort();
    return Math.round(sorted[Math.min(this.count - 1, Math.floor(q * this.count))]!);
  }
}

/** One connection's loop: send, read the answer, send again; reconnects when the server closes. */
class Connection {
  private socket: Socket | undefined;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current answer (head and body), once its head is in; -1 before. */
  private answerLength = -1;
  private status = 0;
  private closeAfter = false;
  private sentAt = 0;
  private inFlight = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: Required<SocketLoadOptions>,
    private readonly tally: Tally,
    private readonly stopping: () => boolean,
    private readonly fail: (error: Error) => void,
    private readonly done: () => void,
  ) {}

  start(): void {
    const socket = connect(Number(this.opts.url.port || 80), this.opts.url.hostname);
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once('connect', () => this.send());
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.once('error', (error) => {
      if (this.inFlight) this.tally.errors++;
      this.fail(new LoadError(`connection error: ${error.message}`));
    });
    socket.once('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.inFlight) {
        this.tally.errors++;
        this.fail(new LoadError('the server closed a connection with a request in flight'));
        return;
      }
      if (this.stopping()) this.finish();
      else this.start();
    });
  }

  private send(): void {
    if (this.stopping()) {
      this.finish();
      return;
    }
    this.pending = Buffer.alloc(0);
    this.answerLength = -1;
    this.inFlight = true;
    this.sentAt = performance.now();
    this.timer ??= setTimeout(() => this.timedOut(), this.opts.timeoutMs);
    this.timer.refresh();
    this.socket!.write(this.opts.request());
  }

  private timedOut(): void {
    if (!this.inFlight) return;
    this.tally.timeouts++;
    this.fail(new LoadError(`a request got no answer within ${this.opts.timeoutMs} ms`));
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.answerLength < 0) {
      const end = this.pending.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.pending.toString('latin1', 0, end);
      const length = CONTENT_LENGTH.exec(head);
      if (!head.startsWith('HTTP/1.1 ') || length === null) {
        this.tally.errors++;
        this.fail(
          new LoadError(
            `an answer the generator cannot frame (it needs Content-Length): ${head.split('\r\n')[0]}`,
          ),
        );
        return;
      }
      this.status = Number(head.slice(9, 12));
      this.closeAfter = CLOSE.test(head);
      this.answerLength = end + HEAD_END.length + Number(length[1]);
    }
    if (this.pending.length < this.answerLength) return;
    if (this.pending.length > this.answerLength) {
      this.tally.errors++;
      this.fail(new LoadError('the server sent bytes after an answer nobody asked for'));
      return;
    }
    this.inFlight = false;
    this.tally.answered(this.status, performance.now() - this.sentAt);
    if (this.closeAfter) this.socket!.end();
    else this.send();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.socket?.end();
    this.done();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.socket?.destroy();
  }
}

/**
 * Runs the load; resolves with autocannon's result shape (`rps` over the time until the last answer),
 * or rejects on the first connection error, unframeable answer or timeout.
 */
export function runSocketLoad(options: SocketLoadOptions): Promise<LoadResult> {
  const opts: Required<SocketLoadOptions> = { timeoutMs: 10_000, ...options };
  if (opts.url.protocol !== 'http:')
    throw new LoadError(`the generator speaks plain HTTP, not ${opts.url.protocol}`);
  const tally = new Tally();
  const started = performance.now();
  let stopping = false;
  return new Promise((resolve, reject) => {
    let open = opts.connections;
    const connections: Connection[] = [];
    const stopTimer = setTimeout(() => {
      stopping = true;
    }, opts.seconds * 1000);
    const fail = (error: Error) => {
      // No connection reconnects or sends once the run has failed.
      stopping = true;
      clearTimeout(stopTimer);
      for (const c of connections) c.destroy();
      reject(error);
    };
    const done = () => {
      open--;
      if (open > 0) return;
      const seconds = (performance.now() - started) / 1000;
      resolve({
        rps: tally.ok / seconds,
        p50Ms: tally.quantile(0.5),
        p99Ms: tally.quantile(0.99),
        ok: tally.ok,
        non2xx: tally.non2xx,
        errors: tally.errors,
        timeouts: tally.timeouts,
        seconds,
      });
    };
    for (let i = 0; i < opts.connections; i++) {
      const connection = new Connection(opts, tally, () => stopping, fail, done);
      connections.push(connection);
      connection.start();
    }
  });
}
