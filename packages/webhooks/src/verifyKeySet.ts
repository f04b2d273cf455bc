// Verification for an endpoint that trusts at least one v1a (ed25519) key, alone or beside v1
// secrets. A v1-only endpoint keeps verify.ts's path; the checks and their order are the same:
// headers -> timestamp digits -> tolerance -> a well-formed entry of a trusted scheme -> a match.
import { timingSafeEqual } from 'node:crypto';
import { signedContent, v1aVerifies } from './ed25519.js';
import { WebhookVerificationError } from './errors.js';
import type { HeaderSource } from './headers.js';
import { bodyBytes } from './signature.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';
import { type V1Key, v1Digest } from './v1Key.js';
import { readFreshHeaders, type VerifySettings } from './verify.js';
import { keySchemes, type SignatureScheme, type WebhookKeys } from './webhookKeys.js';

// base64 of 32 HMAC bytes, and of a 64-byte ed25519 signature.
const V1_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;
const V1A_SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
/**
 * Each v1a entry costs an ed25519 verification per trusted key, so a header may carry at most this
 * many (a sender signs with one key per key it holds: two while rotating).
 */
export const MAX_V1A_ENTRIES = 8;

export interface SchemeCandidates {
  /** The base64 text of each well-formed `v1,` entry, as ASCII bytes. */
  v1: Buffer[];
  /** The raw 64 bytes of each well-formed `v1a,` entry. */
  v1a: Buffer[];
}

/**
 * The well-formed entries of the trusted schemes in a signature list; other versions are skipped.
 *
 * @throws {WebhookVerificationError} `invalid_signature_header` when no entry of a trusted scheme is
 *   well-formed, or there are more than MAX_V1A_ENTRIES v1a entries.
 */
export function schemeCandidates(
  signatureHeader: string,
  schemes: readonly SignatureScheme[],
): SchemeCandidates {
  const candidates: SchemeCandidates = { v1: [], v1a: [] };
  let malformed = 0;
  let v1aEntries = 0;
  for (const raw of signatureHeader.split(' ')) {
    const entry = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    const comma = entry.indexOf(',');
    if (comma < 0) continue;
    const version = entry.slice(0, comma);
    const signature = entry.slice(comma + 1);
    if (version === 'v1' && schemes.includes('v1')) {
      if (V1_SIGNATURE.test(signature)) candidates.v1.push(Buffer.from(signature, 'latin1'));
      else malformed += 1;
    } else if (version === 'v1a' && schemes.includes('v1a')) {
      v1aEntries += 1;
      if (V1A_SIGNATURE.test(signature)) candidates.v1a.push(Buffer.from(signature, 'base64'));
      else malformed += 1;
    }
  }
  const shown = truncate(signatureHeader);
  if (v1aEntries > MAX_V1A_ENTRIES) {
    throw new WebhookVerificationError(
      'invalid_signature_header',
      `webhook-signature carries ${v1aEntries} v1a entries, more than the ${MAX_V1A_ENTRIES} verified per ` +
        'delivery (each costs an ed25519 verification): a sender adds one entry per key it signs with.',
    );
  }
  if (candidates.v1.length + candidates.v1a.length === 0) {
    const trusted = schemes.join(' or ');
    throw new WebhookVerificationError(
      'invalid_signature_header',
      malformed > 0
        ? `webhook-signature has no well-formed ${trusted} entry: "v1," is followed by the 44-character base64 ` +
            `HMAC-SHA256, "v1a," by the 88-character base64 ed25519 signature (got "${shown}").`
        : `webhook-signature has no ${trusted} entry, the schemes this endpoint's keys verify: expected a ` +
            `space-separated list like "${schemes.at(-1)},<base64>" (got "${shown}").`,
    );
  }
  return candidates;
}

/**
 * Verifies a delivery against keys of both schemes: it passes when any entry matches any trusted key
 * of its kind. HMAC entries are tried first, since one costs a fraction of an ed25519 verification.
 * `v1Keys` are `keys.hmac` prepared by prepareV1Key.
 *
 * @throws {WebhookVerificationError} with the code of the first check that failed.
 */
export function verifyWithKeySet(
  keys: WebhookKeys,
  v1Keys: readonly V1Key[],
  headers: HeaderSource,
  body: string | Uint8Array,
  settings: VerifySettings,
): VerifiedDelivery {
  const { header, timestamp } = readFreshHeaders(headers, settings);
  const candidates = schemeCandidates(header.signature, keySchemes(keys));
  const bytes = bodyBytes(body);
  const verified = { id: header.id, timestamp, body: bytes };
  if (candidates.v1.length > 0) {
    for (const key of v1Keys) {
      const expected = Buffer.from(v1Digest(key, header.id, timestamp, bytes), 'latin1');
      for (const candidate of candidates.v1) if (timingSafeEqual(candidate, expected)) return verified;
    }
  }
  if (candidates.v1a.length > 0) {
    const content = signedContent(header.id, timestamp, bytes);
    for (const key of keys.verifiers) {
      for (const candidate of candidates.v1a) if (v1aVerifies(key, content, candidate)) return verified;
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    `No signature in webhook-signature matches this delivery (${count(candidates.v1.length, 'v1 entry', 'v1 entries')} ` +
      `against ${count(keys.hmac.length, 'secret', 'secrets')}, ${count(candidates.v1a.length, 'v1a entry', 'v1a entries')} ` +
      `against ${count(keys.verifiers.length, 'public key', 'public keys')}): check that the keys are this ` +
      'endpoint’s (whpk_… for v1a, ws_… or whsec_… for v1, passed unchanged) and that the body is the raw bytes ' +
      'as received (no JSON parser before the webhook route).',
  );
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function truncate(value: string): string {
  return value.length > 120 ? `${value.slice(0, 120)}…` : value;
}
