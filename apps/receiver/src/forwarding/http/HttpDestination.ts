// An HTTP endpoint: the verified bytes, re-signed per Standard Webhooks with FORWARD_HTTP_SECRET
// (same webhook-id, a fresh timestamp), with the CloudEvents HTTP binding's `ce-*` headers. A 2xx
// counts; a 410 stops forwarding that event there; anything else is retried, after the endpoint's
// Retry-After when it sends one. Every request has a time limit; redirects are not followed.
import { type SecretInput, signedHeaders } from '@webhook-contracts/webhooks';
import {
  cloudEventAttributes,
  type Destination,
  describeFailure,
  type ForwardMessage,
  type PublishResult,
  traceHeaders,
} from '../Destination.js';

export interface HttpDestinationOptions {
  url: string;
  secret: SecretInput;
  types: readonly string[] | null;
  /** Time limit of each request, answer included. */
  timeoutMs: number;
  concurrency?: number;
  /** Clock in ms, for the signature's timestamp. */
  now?: () => number;
}

/** Longest Retry-After honoured; a longer one is cut to it. */
const maxRetryAfterMs = 3_600_000;

export class HttpDestination implements Destination {
  readonly name = 'http';
  readonly types: readonly string[] | null;
  readonly concurrency: number;
  private readonly options: HttpDestinationOptions;

  constructor(options: HttpDestinationOptions) {
    this.options = options;
    this.types = options.types;
    this.concurrency = options.concurrency ?? 16;
  }

  /** Nothing to open: each publish is its own request. */
  async connect(): Promise<void> {}

  async publish(m: ForwardMessage): Promise<PublishResult> {
    const now = this.options.now ?? Date.now;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...signedHeaders({
        secret: this.options.secret,
        id: m.webhookId,
        timestamp: Math.floor(now() / 1000),
        body: m.body,
      }),
      ...traceHeaders(m),
    };
    for (const [name, value] of Object.entries(cloudEventAttributes(m))) headers[`ce-${name}`] = value;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: m.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // The answer's body is not needed: dropped, so the connection can be reused.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { ok: true, duplicate: false };
      const error = `HTTP ${response.status} from the endpoint`;
      if (response.status === 410) return { ok: false, stop: true, error };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      return { ok: false, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    } catch (error) {
      return { ok: false, error: `HTTP: ${describeFailure(error)}` };
    }
  }

  spanAttributes(): Record<string, string | number> {
    // The endpoint's host and port only: its path or query may hold a token.
    const url = new URL(this.options.url);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { 'http.request.method': 'POST', 'server.address': url.hostname, 'server.port': port };
  }

  async close(): Promise<void> {}
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(maxRetryAfterMs, Math.max(0, ms));
}
