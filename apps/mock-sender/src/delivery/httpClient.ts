// The HTTP client behind every delivery attempt: node:http/https with a keep-alive agent sized to the
// concurrency (cheaper than fetch per request, and msw intercepts it in tests). It never follows
// redirects and turns every outcome into a value: a response, a timeout or a connection error.
import type * as HttpModule from 'node:http';
import type * as HttpsModule from 'node:https';
import { createRequire } from 'node:module';

// The CommonJS module objects, not ESM namespaces: interceptors such as msw patch `request` on
// these objects, and an ESM namespace import would keep the unpatched function.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof HttpModule;
const https = require('node:https') as typeof HttpsModule;

export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string; body: string; latencyMs: number }
  | { kind: 'timeout' | 'connection_error'; message: string; latencyMs: number };

export interface PostRequest {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

export interface HttpClient {
  post(request: PostRequest): Promise<AttemptOutcome>;
  close(): void;
}

/** Keep at most this much of a response body (for the check table and diagnostics). */
const MAX_BODY_CHARS = 2048;

class RequestTimeout extends Error {}

/**
 * A client whose `post` resolves with the outcome of one attempt (never rejects).
 *
 * @example
 * const client = createHttpClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createHttpClient(options: { concurrency: number }): HttpClient {
  const agentOptions = { keepAlive: true, maxSockets: Math.max(1, options.concurrency) };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  return {
    post({ url, headers, body, timeoutMs }) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const transport = url.protocol === 'https:' ? https : http;
      return new Promise<AttemptOutcome>((resolve) => {
        let settled = false;
        const finish = (outcome: AttemptOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        };
        const request = transport.request(url, {
          method: 'POST',
          agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
          headers: { ...headers, 'content-length': String(body.length) },
        });
        // The timeout covers the whole exchange, body included: a receiver that stalls mid-response
        // is as unhealthy as one that never answers.
        const timer = setTimeout(() => request.destroy(new RequestTimeout()), timeoutMs);
        request.on('response', (response) => {
          const chunks: string[] = [];
          let kept = 0;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (kept < MAX_BODY_CHARS) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          response.on('end', () => {
            const retryAfter = response.headers['retry-after'];
            finish({
              kind: 'response',
              status: response.statusCode ?? 0,
              ...(retryAfter === undefined ? {} : { retryAfter }),
              body: chunks.join('').slice(0, MAX_BODY_CHARS),
              latencyMs: elapsed(),
            });
          });
          response.on('error', (error) => onError(error));
        });
        const onError = (error: Error) => {
          finish(
            error instanceof RequestTimeout
              ? {
                  kind: 'timeout',
                  message: `no complete answer within ${timeoutMs} ms`,
                  latencyMs: elapsed(),
                }
              : { kind: 'connection_error', message: error.message, latencyMs: elapsed() },
          );
        };
        request.on('error', onError);
        request.end(body);
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
