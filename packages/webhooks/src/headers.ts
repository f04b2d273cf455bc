// Reads the three Standard Webhooks headers from whatever a framework hands over: fetch `Headers`,
// Node's lower-cased `IncomingHttpHeaders`, or a plain object with any capitalisation.
import { WebhookVerificationError } from './errors.js';

/** Request headers: fetch `Headers`, or an object such as Node's `req.headers` (names in any case). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface WebhookHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

interface HeaderGetter {
  get(name: string): string | null;
}

/**
 * Reads `webhook-id`, `webhook-timestamp` and `webhook-signature`. A header sent several times
 * (a `string[]` value) counts as its first value for id and timestamp; signature values are joined
 * into one list, since each may carry entries.
 *
 * @throws {WebhookVerificationError} code `missing_header` naming every absent or empty header.
 * @example
 * readWebhookHeaders(req.headers); // { id: 'msg_…', timestamp: '1727606400', signature: 'v1,…' }
 */
export function readWebhookHeaders(headers: HeaderSource): WebhookHeaders {
  const id = first(readHeader(headers, 'webhook-id'));
  const timestamp = first(readHeader(headers, 'webhook-timestamp'));
  const signature = joined(readHeader(headers, 'webhook-signature'));
  if (!id || !timestamp || !signature) {
    const missing = [
      id ? undefined : 'webhook-id',
      timestamp ? undefined : 'webhook-timestamp',
      signature ? undefined : 'webhook-signature',
    ].filter((name) => name !== undefined);
    throw new WebhookVerificationError(
      'missing_header',
      `Missing webhook header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: a signed delivery carries ` +
        'webhook-id, webhook-timestamp and webhook-signature (check that a proxy does not strip them).',
    );
  }
  return { id, timestamp, signature };
}

/** One header by its lower-case name, whatever case the source uses. */
export function readHeader(headers: HeaderSource, name: string): string | string[] | undefined {
  if (isHeaderGetter(headers)) return headers.get(name) ?? undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

// Duck-typed so any fetch-style Headers implementation works, not only the global class.
function isHeaderGetter(headers: HeaderSource): headers is Headers {
  return typeof (headers as Partial<HeaderGetter>).get === 'function';
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(' ') : value;
}
