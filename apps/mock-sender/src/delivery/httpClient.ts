// The HTTP client behind every delivery attempt: node:http/https with a keep-alive agent sized to the
// concurrency (cheaper than fetch per request, and msw intercepts it in tests). It never follows
// redirects and turns every outcome into a value: a response, a timeout or a connection error.
//
// It is on the hot path of `send` (one call per attempt), so it does the per-target work once: the
// request options and the Host header are cached per URL, headers go to node:http as a flat
// [name, value, …] array (written straight into the request head, no per-header map), the
// per-attempt timeout is an entry in a shared deadline queue instead of a timer of its own, and
// plain-http connections are pooled by KeepAliveAgent.
import type * as HttpModule from 'node:http';
import type * as HttpsModule from 'node:https';
import { createRequire } from 'node:module';
import { DeadlineQueue } from './deadlineQueue.js';
import { KeepAliveAgent } from './KeepAliveAgent.js';

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
  /** A name → value map, or a flat `[name, value, name, value, …]` list (cheaper on the hot path). */
  headers: Readonly<Record<string, string>> | readonly string[];
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

interface Target {
  https: boolean;
  host: string;
  port: string;
  path: string;
  /** What node:http would send as Host: the host, and the port when it is not the default. */
  hostHeader: string;
}

function targetOf(url: URL): Target {
  const hostname = url.hostname;
  const secure = url.protocol === 'https:';
  return {
    https: secure,
    // An IPv6 literal is bracketed in URLs but not when connecting.
    host: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: url.port === '' ? (secure ? '443' : '80') : url.port,
    path: `${url.pathname}${url.search}`,
    hostHeader: url.host,
  };
}

function headerList(target: Target, headers: PostRequest['headers'], length: number): string[] {
  const list = ['host', target.hostHeader, 'content-length', String(length)];
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i++) list.push(headers[i] as string);
  } else {
    const record = headers as Readonly<Record<string, string>>;
    for (const name in record) {
      const lower = name.toLowerCase();
      if (lower === 'host' || lower === 'content-length') continue;
      list.push(name, record[name] as string);
    }
  }
  return list;
}

/**
 * A client whose `post` resolves with the outcome of one attempt (never rejects).
 *
 * @example
 * const client = createHttpClient({ concurrency: 8 });
 * const outcome = await client.post({ url: new URL('http://localhost:3000/webhooks'), headers, body, timeoutMs: 15_000 });
 * client.close();
 */
export function createHttpClient(options: { concurrency: number }): HttpClient {
  // Plain http goes through the lean KeepAliveAgent (the sender's pool bounds its connections);
  // https keeps node's agent, which handles TLS sessions.
  const httpAgent = new KeepAliveAgent();
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Math.max(1, options.concurrency) });
  const targets = new WeakMap<URL, Target>();
  const deadlines = new Map<number, DeadlineQueue>();

  const deadlineQueue = (timeoutMs: number): DeadlineQueue => {
    let queue = deadlines.get(timeoutMs);
    if (queue === undefined) {
      queue = new DeadlineQueue(timeoutMs);
      deadlines.set(timeoutMs, queue);
    }
    return queue;
  };

  return {
    post({ url, headers, body, timeoutMs }) {
      let target = targets.get(url);
      if (target === undefined) {
        target = targetOf(url);
        targets.set(url, target);
      }
      const started = performance.now();
      const transport = target.https ? https : http;
      const request = transport.request({
        method: 'POST',
        host: target.host,
        port: target.port,
        path: target.path,
        agent: target.https ? httpsAgent : httpAgent,
        headers: headerList(target, headers, body.length),
      });
      return new Promise<AttemptOutcome>((resolve) => {
        let settled = false;
        // The timeout covers the whole exchange, body included: a receiver that stalls mid-response
        // is as unhealthy as one that never answers.
        const deadline = deadlineQueue(timeoutMs).add(() => request.destroy(new RequestTimeout()));
        const finish = (outcome: AttemptOutcome) => {
          if (settled) return;
          settled = true;
          deadline.cancel();
          resolve(outcome);
        };
        const onError = (error: Error) => {
          const latencyMs = performance.now() - started;
          finish(
            error instanceof RequestTimeout
              ? { kind: 'timeout', message: `no complete answer within ${timeoutMs} ms`, latencyMs }
              : { kind: 'connection_error', message: error.message, latencyMs },
          );
        };
        request.on('response', (response) => {
          // Raw chunks, decoded once at the end: most answers are empty, and a decoder per
          // response would cost every one of them.
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            // UTF-8 takes at most 4 bytes per character: this many bytes always cover the cap.
            if (kept < MAX_BODY_CHARS * 4) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const text =
              chunks.length === 0
                ? ''
                : (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
            const outcome: AttemptOutcome = {
              kind: 'response',
              status,
              body: text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text,
              latencyMs: performance.now() - started,
            };
            // Reading `headers` makes node:http build the header object: only where it is needed.
            if (status < 200 || status >= 300) {
              const retryAfter = response.headers['retry-after'];
              if (retryAfter !== undefined) outcome.retryAfter = retryAfter;
            }
            finish(outcome);
          });
          response.on('error', onError);
        });
        request.on('error', onError);
        request.end(body);
      });
    },
    close() {
      for (const queue of deadlines.values()) queue.clear();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
