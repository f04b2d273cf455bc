// Turns one endpoint secret into HMAC key bytes. Secrets follow Standard Webhooks (`whsec_<base64>`,
// or the same base64 without the prefix), with one named exception: Whop's `ws_<hex>`, whose key is
// the literal UTF-8 bytes of the whole string, prefix included. Mixing the forms up yields a key
// that verifies nothing, so the recognisable mistakes are refused here, at start-up, instead of
// surfacing as 401s in production.
import { WebhookConfigError } from './errors.js';

/** `whsec_<base64>`, Whop's `ws_…`, bare Standard Webhooks base64, or raw key bytes. */
export type SecretInput = string | Uint8Array;

const WHSEC_PREFIX = 'whsec_';
const WS_PREFIX = 'ws_';
/** The forms accepted, for every message that refuses a secret. */
export const SECRET_FORMS =
  'pass the endpoint secret (whsec_… or ws_…) or the bare base64 of a Standard Webhooks secret';
// Standard alphabet, padded to a multiple of 4: what the Go, Python, Rust and Java Standard Webhooks
// libraries require. (The JS one also takes most unpadded strings; refusing them costs one '=' and
// keeps a secret that lost its last character from decoding silently to another key.)
export const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNPADDED_BASE64 = /^[A-Za-z0-9+/]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+=*$/;
// A ws_ secret's hex with its prefix dropped or swapped: only 0-9a-f and at least 16 characters.
// Base64 of random bytes is all lowercase hex with odds of 4^-16 (under 1e-9) at that length, and
// the spec's secrets (24+ bytes) are 32+ characters, so no real base64 secret is refused by this.
const LOWER_HEX = /^[0-9a-f]{16,}$/;
// base64("ws_"): what the docs' `btoa(ws_secret)` for Standard Webhooks libraries starts with.
const BTOA_OF_WS = 'd3Nf';
const QUOTE = /^["'`]|["'`]$/;
// Words joined by - _ or . (`my-webhook-secret`): a made-up dev password, not an endpoint secret.
// Only short values or ones with characters outside both base64 alphabets are read this way, so a
// real base64url secret keeps its own message.
const WORDS = /[a-z]{2,}[-_.][a-z]{2,}/i;
const NOT_A_SECRET =
  'This is not a webhook secret: use whsec_… or ws_…, the endpoint secret from the dashboard (for tests, ' +
  "whsec_ and the base64 of 24 random bytes: node -e \"console.log('whsec_' + crypto.randomBytes(24).toString('base64'))\").";

/**
 * Decodes ONE webhook secret, exactly as written, into the HMAC key bytes. (A setting that may hold
 * a comma-separated rotation list, or surrounding whitespace from an env file, goes through
 * `parseSecretList`, or straight to `new Webhook(…)` / `sign(…)`, which read it that way.)
 *
 * - `whsec_<base64>`: the base64-decoded bytes after the prefix.
 * - `ws_…` (Whop): the literal UTF-8 bytes of the whole string, as Whop's sender uses them.
 * - any other string: Standard Webhooks base64 without the prefix (standard alphabet, padded).
 * - `Uint8Array`: the key bytes as they are.
 *
 * @throws {WebhookConfigError} code `invalid_secret` when the secret is empty, not valid base64,
 *   has surrounding whitespace or quotes, holds a comma (a list), or matches a known mix-up of the
 *   forms (`btoa(ws_…)`, a ws_ secret's hex without `ws_` or behind `whsec_`).
 * @example
 * decodeSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length; // 24
 * decodeSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length; // 24, the same key
 * decodeSecret('ws_1a2b3c').toString(); // 'ws_1a2b3c'
 */
export function decodeSecret(secret: SecretInput): Buffer {
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw invalid(`The webhook secret is empty: ${SECRET_FORMS}.`);
    return Buffer.from(secret);
  }
  if (typeof secret !== 'string') {
    throw invalid(`The webhook secret must be a string or bytes, got ${typeof secret}: ${SECRET_FORMS}.`);
  }
  if (secret.trim() === '') throw invalid(`The webhook secret is empty: ${SECRET_FORMS}.`);
  if (secret.trim() !== secret) {
    throw invalid(
      'The webhook secret has leading or trailing whitespace (a stray newline from an env file?): remove it and ' +
        `${SECRET_FORMS}.`,
    );
  }
  if (QUOTE.test(secret)) {
    throw invalid(
      'The webhook secret is wrapped in quotes (an env file or shell that kept them?): remove the quotes and ' +
        `${SECRET_FORMS}.`,
    );
  }
  if (secret.includes(',')) {
    throw invalid(
      'The webhook secret holds a comma: that is a list of secrets (rotation), not one. Pass them as an array, ' +
        'or hand the comma-separated value to new Webhook(…) or parseSecretList(…), which read it as a list.',
    );
  }
  if (secret.startsWith('whsk_') || secret.startsWith('whpk_')) {
    throw invalid(
      `The value is an ed25519 key of the v1a scheme (${secret.slice(0, 5)}…), not a v1 HMAC secret: pass it to ` +
        'new Webhook(…), sign(…) or decodeKeys(…), which take both kinds.',
    );
  }
  if (secret.startsWith(WHSEC_PREFIX)) return decodeBase64(secret.slice(WHSEC_PREFIX.length), 'whsec_');
  if (secret.startsWith(WS_PREFIX)) {
    if (secret === WS_PREFIX)
      throw invalid(`The webhook secret "ws_" has nothing after the prefix: ${SECRET_FORMS}.`);
    return Buffer.from(secret, 'utf8');
  }
  if (secret.startsWith(BTOA_OF_WS) && STRICT_BASE64.test(secret)) {
    if (Buffer.from(secret, 'base64').toString('latin1').startsWith(WS_PREFIX)) {
      throw invalid(
        'The webhook secret looks like btoa(ws_…), the form Standard Webhooks libraries need: this library takes ' +
          'the ws_… secret itself, so pass it unchanged.',
      );
    }
  }
  return decodeBase64(secret, 'bare');
}

function decodeBase64(encoded: string, form: 'whsec_' | 'bare'): Buffer {
  if (encoded === '')
    throw invalid(`The webhook secret "whsec_" has nothing after the prefix: ${SECRET_FORMS}.`);
  if (LOWER_HEX.test(encoded)) {
    throw invalid(
      form === 'whsec_'
        ? 'The webhook secret is whsec_ followed by hex: that looks like a Whop ws_… secret with its prefix replaced, ' +
            'which would decode to the wrong key. Pass the ws_… secret unchanged.'
        : 'The webhook secret is bare lowercase hex: that looks like a Whop ws_… secret with its ws_ prefix dropped, ' +
            'which would decode as base64 to the wrong key. Keep the ws_ prefix: pass the ws_… secret unchanged.',
    );
  }
  if (!STRICT_BASE64.test(encoded)) {
    if (form === 'bare' && looksMadeUp(encoded)) throw invalid(NOT_A_SECRET);
    throw invalid(notBase64Message(encoded, form));
  }
  const key = Buffer.from(encoded, 'base64');
  // Node ignores the unused low bits of the last character; an encoder always leaves them zero.
  if (key.toString('base64') !== encoded) {
    throw invalid(
      `${subject(form)} is not canonical base64 (its last character before the padding is not one an encoder ` +
        'writes): the secret was altered; copy it again from the dashboard.',
    );
  }
  return key;
}

function looksMadeUp(value: string): boolean {
  return WORDS.test(value) && (value.length < 24 || /[^A-Za-z0-9+/=_-]/.test(value));
}

function notBase64Message(encoded: string, form: 'whsec_' | 'bare'): string {
  const missing = (4 - (encoded.length % 4)) % 4;
  const hint =
    UNPADDED_BASE64.test(encoded) && (missing === 1 || missing === 2)
      ? ` It lacks its "=" padding: add ${'='.repeat(missing)} at the end (Standard Webhooks secrets are padded base64).`
      : BASE64URL.test(encoded) && /[-_]/.test(encoded)
        ? ' It uses the base64url alphabet (- and _): Standard Webhooks secrets use + and /.'
        : '';
  const what =
    form === 'whsec_'
      ? 'The webhook secret starts with whsec_ but the rest is not valid base64 (A–Z, a–z, 0–9, +, /, padded with =).'
      : 'The webhook secret is not a form this library takes: it has no whsec_ or ws_ prefix, so it must be ' +
        'Standard Webhooks base64 (A–Z, a–z, 0–9, +, /, padded with =), and it is not.';
  return `${what}${hint} Copy it again from the dashboard, or ${SECRET_FORMS}.`;
}

function subject(form: 'whsec_' | 'bare'): string {
  return form === 'whsec_' ? 'The webhook secret after whsec_' : 'The webhook secret';
}

function invalid(message: string): WebhookConfigError {
  return new WebhookConfigError('invalid_secret', message);
}
