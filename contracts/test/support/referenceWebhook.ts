// The one builder for signed fixtures in the contract suite. It signs and verifies with the
// `standardwebhooks` library, an implementation nobody in this repository wrote, so a sender or
// receiver that agrees with it follows the spec rather than merely agreeing with our own package.
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 bytes. */
export const whsecSecret = 'whsec_Y29udHJhY3Qtc3VpdGUtc2VjcmV0LTMyLWJ5dGVzISE=';

/** A Whop dashboard secret: `ws_` + hex, whose key is the string's own UTF-8 bytes. */
export const whopSecret = 'ws_7c0f3e5a9b2d4c6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c';

/**
 * The reference library set up for a secret the way each sender documents it: `whsec_…` as is,
 * Whop's `ws_…` as `new Webhook(btoa(secret))` (the Whop docs' instruction), which makes the
 * library's base64 decoding yield the literal bytes of the ws_ string.
 */
export function referenceWebhook(secret: string): Webhook {
  return new Webhook(secret.startsWith('ws_') ? btoa(secret) : secret);
}

export interface SignedDelivery {
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  body: Buffer;
}

/** Signs `body` (exact bytes) for `secret` with the reference library, timestamped now. */
export function referenceSigned(secret: string, id: string, body: Buffer | string): SignedDelivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const at = new Date();
  return {
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': referenceWebhook(secret).sign(id, at, bytes),
    },
    body: bytes,
  };
}
