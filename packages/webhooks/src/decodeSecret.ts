// Turns the endpoint secret into HMAC key bytes. Two shapes exist in the wild: the Standard Webhooks
// `whsec_<base64>` (the key is the decoded bytes) and Whop's `ws_<hex>` (the key is the literal UTF-8
// bytes of the whole string, prefix included). Mixing them up yields a key that verifies nothing, so
// the recognisable mistakes are rejected here, at start-up, instead of as 401s in production.
import { WebhookConfigError } from './errors.js';

/** `whsec_<base64>`, any other string (used as its UTF-8 bytes, e.g. Whop's `ws_<hex>`), or raw key bytes. */
export type SecretInput = string | Uint8Array;

const WHSEC_PREFIX = 'whsec_';
const EXPECTED = 'pass the endpoint secret (whsec_… or ws_…)';
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LOWER_HEX = /^[0-9a-f]+$/;
// base64("ws_") — what the docs' `btoa(ws_secret)` produces for Standard Webhooks libraries.
const BTOA_OF_WS = 'd3Nf';

/**
 * Decodes a webhook secret into the HMAC key bytes.
 *
 * - `whsec_<base64>`: the strictly base64-decoded bytes (standard alphabet, padded).
 * - any other string, e.g. Whop's `ws_<hex>`: its literal UTF-8 bytes, as the sender uses them.
 * - `Uint8Array`: the bytes as they are.
 *
 * @throws {WebhookConfigError} code `invalid_secret` when the secret is empty, has surrounding
 *   whitespace, is invalid base64 after `whsec_`, or matches a known mix-up of the two shapes.
 * @example
 * decodeSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length; // 24
 * decodeSecret('ws_1a2b3c').toString(); // 'ws_1a2b3c'
 */
export function decodeSecret(secret: SecretInput): Buffer {
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw invalid(`The webhook secret is empty: ${EXPECTED}.`);
    return Buffer.from(secret);
  }
  if (typeof secret !== 'string') {
    throw invalid(`The webhook secret must be a string or bytes, got ${typeof secret}: ${EXPECTED}.`);
  }
  if (secret.trim() === '') throw invalid(`The webhook secret is empty: ${EXPECTED}.`);
  if (secret.trim() !== secret) {
    throw invalid(
      'The webhook secret has leading or trailing whitespace (a stray newline from an env file?): remove it and ' +
        `${EXPECTED}.`,
    );
  }
  if (secret.startsWith(WHSEC_PREFIX)) return decodeWhsec(secret.slice(WHSEC_PREFIX.length));
  if (secret.startsWith(BTOA_OF_WS) && STRICT_BASE64.test(secret)) {
    const decoded = Buffer.from(secret, 'base64');
    if (decoded.toString('latin1').startsWith('ws_')) {
      throw invalid(
        'The webhook secret looks like btoa(ws_…), the form Standard Webhooks libraries need: this library takes ' +
          'the ws_… secret itself, so pass it unchanged.',
      );
    }
  }
  return Buffer.from(secret, 'utf8');
}

function decodeWhsec(encoded: string): Buffer {
  if (encoded === '') throw invalid(`The webhook secret "whsec_" has nothing after the prefix: ${EXPECTED}.`);
  if (LOWER_HEX.test(encoded) && encoded.length >= 16) {
    // Random base64 of 24+ bytes is never all lowercase hex; a ws_ secret with its prefix swapped is.
    throw invalid(
      'The webhook secret is whsec_ followed by hex: that looks like a Whop ws_… secret with its prefix replaced, ' +
        'which would decode to the wrong key. Pass the ws_… secret unchanged.',
    );
  }
  if (!STRICT_BASE64.test(encoded)) {
    throw invalid(
      'The webhook secret starts with whsec_ but the rest is not valid base64 (A–Z, a–z, 0–9, +, /, padded with =): ' +
        `copy it again from the dashboard, or ${EXPECTED}.`,
    );
  }
  return Buffer.from(encoded, 'base64');
}

function invalid(message: string): WebhookConfigError {
  return new WebhookConfigError('invalid_secret', message);
}
