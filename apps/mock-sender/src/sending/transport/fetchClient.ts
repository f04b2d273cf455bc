// The transport that msw can intercept: the global `fetch`, looked up at each call (msw patches it
// after this module is loaded). Tests that mock the receiver with msw select it in httpClient.ts;
// the sender itself uses socketClient.ts (and undiciClient.ts for https). Same guarantees as those: no redirects followed
// (`redirect: 'manual'` hands back the 3xx itself), one deadline per attempt covering the whole
// exchange, the body kept up to the cap, Retry-After read only on a non-2xx answer. Connections are
// fetch's own (its global pool), which is why the sender does not use it for real traffic.
import {
  type AttemptOutcome,
  CappedBody,
  failedOutcome,
  type HttpClient,
  type PostRequest,
  RequestTimeout,
} from './attemptOutcome.js';
import { DeadlineQueues } from './deadlineQueue.js';

class ClientClosed extends Error {
  constructor() {
    super('the HTTP client was closed');
  }
}

function headerPairs(headers: PostRequest['headers']): [string, string][] {
  if (!Array.isArray(headers)) return Object.entries(headers as Readonly<Record<string, string>>);
  const pairs: [string, string][] = [];
  for (let i = 0; i < headers.length; i += 2) pairs.push([headers[i] as string, headers[i + 1] as string]);
  return pairs;
}

async function exchange(request: PostRequest, signal: AbortSignal): Promise<AttemptOutcome> {
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: headerPairs(request.headers),
      body: request.body,
      redirect: 'manual',
      signal,
    });
    const body = new CappedBody();
    if (response.body !== null) for await (const chunk of response.body) body.add(chunk);
    const outcome: AttemptOutcome = {
      kind: 'response',
      status: response.status,
      body: body.text(),
      latencyMs: performance.now() - started,
    };
    if (!response.ok) {
      const retryAfter = response.headers.get('retry-after');
      if (retryAfter !== null) outcome.retryAfter = retryAfter;
    }
    return outcome;
  } catch (error) {
    // An aborted fetch rejects with a DOMException; the reason says why it was aborted.
    return failedOutcome(
      signal.aborted ? signal.reason : error,
      request.timeoutMs,
      performance.now() - started,
    );
  }
}

/**
 * A fetch-based client whose `post` resolves with the outcome of one attempt (never rejects).
 *
 * @example
 * const client = createFetchClient();
 * const outcome = await client.post({ url: new URL('http://receiver.test/webhooks'), headers, body, timeoutMs: 5_000 });
 * client.close();
 */
export function createFetchClient(): HttpClient {
  const deadlines = new DeadlineQueues();
  const inFlight = new Set<AbortController>();
  let closed = false;

  return {
    async post(request) {
      const controller = new AbortController();
      if (closed) controller.abort(new ClientClosed());
      inFlight.add(controller);
      const deadline = deadlines.add(request.timeoutMs, () => controller.abort(new RequestTimeout()));
      try {
        return await exchange(request, controller.signal);
      } finally {
        deadline.cancel();
        inFlight.delete(controller);
      }
    },
    close() {
      closed = true;
      deadlines.clear();
      for (const controller of inFlight) controller.abort(new ClientClosed());
    },
  };
}
