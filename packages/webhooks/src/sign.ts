import type { KeyObject } from 'node:crypto';
import type { SecretInput } from './decodeSecret.js';
import { signedContent, v1aSignature } from './ed25519.js';
import { WebhookConfigError } from './errors.js';
import { bodyBytes, v1Signature } from './signature.js';
import { type V1Key, v1Digest } from './v1Key.js';
import { decodeKeys } from './webhookKeys.js';

export interface SignInput {
  /**
   * One secret, or several to sign with each (the header then lists one entry per secret: `v1,` for
   * an HMAC secret, `v1a,` for a `whsk_` ed25519 signing key). A string may be a comma-separated
   * list, read like `parseSecretList`. A `whpk_` public key cannot sign and is refused.
   */
  secret: SecretInput | readonly SecretInput[];
  /** The `webhook-id` (e.g. `msg_…`); the same on every retry of a message. */
  id: string;
  /** Unix seconds of this attempt (the `webhook-timestamp`). */
  timestamp: number;
  /** The exact body bytes that will be sent; a string is UTF-8 encoded. */
  body: string | Uint8Array;
}

/**
 * Computes the `webhook-signature` header value for a delivery: `v1,<base64>` (or `v1a,<base64>` for
 * a `whsk_` key), or several entries separated by spaces when given several secrets, v1 first.
 *
 * @throws {WebhookConfigError} `invalid_secret` for an unusable secret, `invalid_options` for a
 *   timestamp that is not a non-negative integer.
 * @example
 * sign({
 *   secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
 *   id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
 *   timestamp: 1614265330,
 *   body: '{"test": 2432232314}',
 * }); // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function sign(input: SignInput): string {
  return signWithKeys(decodeKeys(input.secret, 'sign'), input.id, input.timestamp, input.body);
}

/**
 * The three Standard Webhooks headers for a delivery, ready to send with the body.
 *
 * @example
 * const body = JSON.stringify(event);
 * await fetch(url, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', ...signedHeaders({ secret, id: event.id, timestamp, body }) },
 *   body,
 * });
 */
export function signedHeaders(input: SignInput): {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
} {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': sign(input),
  };
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new WebhookConfigError(
      'invalid_options',
      `The timestamp to sign must be a non-negative integer of Unix seconds, got ${timestamp}: ` +
        'use Math.floor(Date.now() / 1000).',
    );
  }
}

/** The signature list for already-decoded keys: one `v1,` entry per HMAC key, then one `v1a,` per signer. */
export function signWithKeys(
  keys: { readonly hmac: readonly Buffer[]; readonly signers: readonly KeyObject[] },
  id: string,
  timestamp: number,
  body: string | Uint8Array,
) {
  checkTimestamp(timestamp);
  const bytes = bodyBytes(body);
  const entries = keys.hmac.map((key) => `v1,${v1Signature(key, id, timestamp, bytes)}`);
  if (keys.signers.length > 0) {
    const content = signedContent(id, timestamp, bytes);
    for (const key of keys.signers) entries.push(`v1a,${v1aSignature(key, content)}`);
  }
  return entries.join(' ');
}

/**
 * The signature list for HMAC keys prepared once (a `Webhook`'s): the same value as signWithKeys
 * without signers, hashed by v1Digest, which costs less per delivery than an Hmac object.
 */
export function signWithV1Keys(
  keys: readonly V1Key[],
  id: string,
  timestamp: number,
  body: string | Uint8Array,
) {
  checkTimestamp(timestamp);
  const bytes = bodyBytes(body);
  if (keys.length === 1) return `v1,${v1Digest(keys[0] as V1Key, id, timestamp, bytes)}`;
  return keys.map((key) => `v1,${v1Digest(key, id, timestamp, bytes)}`).join(' ');
}
