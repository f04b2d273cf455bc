// The one place that chooses the sender's HTTP transport. `send`, `replay`, `check` and `serve`
// get their client here; everything above it (payloads, signing, retries, reporting) is one code
// path whichever transport carries the bytes. The default is undici (pooled keep-alive
// connections, the fast path); tests that mock the receiver with msw select `fetch`, the transport
// msw can intercept.
import type { HttpClient } from './attemptOutcome.js';
import { createFetchClient } from './fetchClient.js';
import { createUndiciClient } from './undiciClient.js';

export type { AttemptOutcome, HttpClient, PostRequest } from './attemptOutcome.js';

export type HttpTransport = 'undici' | 'fetch';

let transport: HttpTransport = 'undici';

/**
 * Selects the transport of every client created from now on in this process: 'fetch' in tests
 * that intercept requests with msw, 'undici' (the default) otherwise.
 *
 * @example
 * beforeAll(() => useHttpTransport('fetch'));
 * afterAll(() => useHttpTransport('undici'));
 */
export function useHttpTransport(kind: HttpTransport): void {
  transport = kind;
}

/**
 * A client on the selected transport whose `post` resolves with the outcome of one attempt (never
 * rejects). `concurrency` bounds the connections it keeps open.
 *
 * @example
 * const client = createHttpClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createHttpClient(options: { concurrency: number }): HttpClient {
  return transport === 'fetch' ? createFetchClient() : createUndiciClient(options);
}
