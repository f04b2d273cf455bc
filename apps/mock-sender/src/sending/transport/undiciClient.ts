// The sender's HTTP transport outside msw tests: undici's connection pools, driven through its
// low-level `dispatch` with one small handler object per attempt (no stream, no promise chain, no
// header object per response). undici follows no redirects unless asked to, keeps connections
// alive, and its pool per origin opens at most `concurrency` of them. Its own header and body
// timeouts are off: one per-attempt deadline covers the whole exchange, body included (a receiver
// that stalls mid-response is as unhealthy as one that never answers), and all deadlines share one
// timer per duration.
import { Agent, type Dispatcher } from 'undici';
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

interface Target {
  origin: string;
  path: string;
}

const RETRY_AFTER = 'retry-after';

/** One attempt: undici calls these as the exchange goes on, then exactly one of onComplete/onError. */
class Attempt implements Dispatcher.DispatchHandler {
  private abort: ((error?: Error) => void) | undefined;
  private timedOut = false;
  private settled = false;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly body = new CappedBody();
  readonly started = performance.now();
  deadline: Deadline | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly resolve: (outcome: AttemptOutcome) => void,
  ) {}

  /** The deadline passed: stop the exchange, or stop it as soon as undici hands it a connection. */
  expire(): void {
    this.timedOut = true;
    if (this.abort === undefined) this.onError(new RequestTimeout());
    else this.abort(new RequestTimeout());
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.timedOut) abort(new RequestTimeout());
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    this.status = status;
    this.retryAfter = undefined;
    if (status < 200 || status >= 300) {
      for (let i = 0; i < rawHeaders.length; i += 2) {
        const name = rawHeaders[i] as Buffer;
        if (name.length === RETRY_AFTER.length && name.toString('latin1').toLowerCase() === RETRY_AFTER) {
          this.retryAfter = (rawHeaders[i + 1] as Buffer).toString('latin1');
          break;
        }
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.body.add(chunk);
    return true;
  }

  onComplete(): void {
    this.finish(responseOutcome(this.status, this.body, this.retryAfter, this.started));
  }

  onError(error: Error): void {
    this.finish(failedOutcome(error, this.timeoutMs, performance.now() - this.started));
  }

  private finish(outcome: AttemptOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline?.cancel();
    this.resolve(outcome);
  }
}

/**
 * A client whose `post` resolves with the outcome of one attempt (never rejects).
 *
 * @example
 * const client = createUndiciClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createUndiciClient(options: { concurrency: number }): HttpClient {
  const agent = new Agent({
    connections: Math.max(1, options.concurrency),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const targets = new WeakMap<URL, Target>();
  const deadlines = new DeadlineQueues();

  return {
    post({ url, headers, body, timeoutMs }: PostRequest) {
      let target = targets.get(url);
      if (target === undefined) {
        target = { origin: url.origin, path: `${url.pathname}${url.search}` };
        targets.set(url, target);
      }
      const { origin, path } = target;
      return new Promise<AttemptOutcome>((resolve) => {
        const attempt = new Attempt(timeoutMs, resolve);
        attempt.deadline = deadlines.add(timeoutMs, () => attempt.expire());
        // A destroyed agent reports through onError too, so this never throws.
        agent.dispatch({ origin, path, method: 'POST', headers: headers as string[], body }, attempt);
      });
    },
    close() {
      deadlines.clear();
      agent.destroy().catch(() => {});
    },
  };
}
