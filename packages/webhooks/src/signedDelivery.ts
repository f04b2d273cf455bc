import { randomUUID } from 'node:crypto';
import type { SecretInput } from './decodeSecret.js';
import { signedHeaders } from './sign.js';

export interface SignedDeliveryInput {
  /** The secret(s) to sign with. */
  secret: SecretInput | readonly SecretInput[];
  /** The body: a string or bytes are sent exactly as given; anything else is `JSON.stringify`-ed. */
  payload: unknown;
  /** Default: a fresh `msg_…` id. */
  id?: string;
  /** Unix seconds. Default: now. */
  timestamp?: number;
}

export interface SignedDelivery {
  id: string;
  timestamp: number;
  /** The exact bytes that were signed. */
  body: Buffer;
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
}

/**
 * Builds a correctly signed delivery (body + the three headers): the one fixture builder for tests
 * and mock senders, so nobody hand-assembles signatures.
 *
 * @example
 * const delivery = signedDelivery({ secret: 'ws_test', payload: event });
 * await fetch(url, { method: 'POST', headers: { ...delivery.headers, 'content-type': 'application/json' }, body: delivery.body });
 */
export function signedDelivery(input: SignedDeliveryInput): SignedDelivery {
  const id = input.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const { payload } = input;
  const body =
    typeof payload === 'string'
      ? Buffer.from(payload, 'utf8')
      : payload instanceof Uint8Array
        ? Buffer.from(payload)
        : Buffer.from(JSON.stringify(payload), 'utf8');
  return { id, timestamp, body, headers: signedHeaders({ secret: input.secret, id, timestamp, body }) };
}
