// The one place that chooses the sender's HTTP transport. `send`, `replay`, `check` and `serve`
// get their client here; everything above it (payloads, signing, retries, reporting) is one code
// path whichever transport carries the bytes. By default, `http:` receivers get the socket client
// (kept-alive connections, the fast path) and `https:` ones undici (loaded on first use, so a run
// to a plain-HTTP receiver never loads it); tests that mock the receiver with msw select `fetch`,
// the transport msw can intercept.
import type { AttemptOutcome, HttpClient, PostRequest } from './attemptOutcome.js';
import { createFetchClient } from './fetchClient.js';
import { createSocketClient } from './socketClient.js';

export type { AttemptOutcome, HttpClient, PostRequest } from './attemptOutcome.js';

export type HttpTransport = 'network' | 'fetch';

let transport: HttpTransport = 'network';

/**
 * Selects the transport of every client created from now on in this process: 'fetch' in tests
 * that intercept requests with msw, 'network' (the default: sockets, undici for https) otherwise.
 *
 * @example
 * beforeAll(() => useHttpTransport('fetch'));
 * afterAll(() => useHttpTransport('network'));
 */
export function useHttpTransport(kind: HttpTransport): void {
  transport = kind;
}

/** Plain HTTP on the socket client, TLS on undici, each with its own connections. */
function createNetworkClient(concurrency: number): HttpClient {
  const plain = createSocketClient({ concurrency });
  let tls: Promise<HttpClient> | undefined;
  let closed = false;
  const tlsClient = () => {
    tls ??= import('./undiciClient.js').then(({ createUndiciClient }) => {
      const client = createUndiciClient({ concurrency });
      if (closed) client.close();
      return client;
    });
    return tls;
  };
  return {
    post(request: PostRequest): Promise<AttemptOutcome> {
      if (request.url.protocol === 'http:') return plain.post(request);
      return tlsClient().then((client) => client.post(request));
    },
    close() {
      closed = true;
      plain.close();
      void tls?.then((client) => client.close());
    },
  };
}

/**
 * A client on the selected transport whose `post` resolves with the outcome of one attempt (never
 * rejects). `concurrency` bounds the connections it keeps open per origin.
 *
 * @example
 * const client = createHttpClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createHttpClient(options: { concurrency: number }): HttpClient {
  return transport === 'fetch' ? createFetchClient() : createNetworkClient(options.concurrency);
}
