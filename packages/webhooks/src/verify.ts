// Verification of one delivery against already-decoded keys. Checks run in this order, and the
// first failure is reported: headers present -> timestamp is digits -> timestamp within tolerance
// -> signature header has at least one well-formed `v1,` entry -> one of those entries matches.
import { timingSafeEqual } from 'node:crypto';
import { WebhookConfigError, WebhookVerificationError } from './errors.js';
import { type HeaderSource, readWebhookHeaders, type WebhookHeaders } from './headers.js';
import { writeLatin1 } from './latin1Bytes.js';
import { bodyBytes } from './signature.js';
import { parseSignatureEntries } from './signatureEntries.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';
import { type V1Key, v1Digest } from './v1Key.js';

export interface VerifyOptions {
  /** How far the timestamp may lie in the past or the future, in seconds. Default 300 (the spec's). */
  toleranceSeconds?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`; inject one in tests. */
  now?: () => number;
}

export interface VerifySettings {
  toleranceSeconds: number;
  now: () => number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

// At most 15 digits keeps the value a safe integer (and any real timestamp has 10).
const MAX_TIMESTAMP_DIGITS = 15;
// A v1 signature is base64 of 32 HMAC-SHA256 bytes: 43 characters and one `=` of padding.
const V1_LENGTH = 44;
// The base64 alphabet by character code (A-Z, a-z, 0-9, + and /): checked by lookup, in a loop
// cheaper than a regular expression's call on the hot path. Signatures are public, so the lookup's
// timing reveals nothing.
const BASE64_ALPHABET = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  BASE64_ALPHABET[char.charCodeAt(0)] = 1;
// Scratch space for the constant-time comparison, reused because verification is synchronous:
// saves two allocations per candidate on the hot path.
const expectedScratch = Buffer.alloc(V1_LENGTH);
const candidateScratch = Buffer.alloc(V1_LENGTH);
const SECRET_HINT =
  'check that the secret is this endpoint’s (ws_… or whsec_…, passed unchanged) and that the body is the raw ' +
  'bytes as received (no JSON parser before the webhook route)';

/** Validates options once, so a bad tolerance fails at start-up rather than on every request. */
export function resolveVerifyOptions(options: VerifyOptions = {}): VerifySettings {
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new WebhookConfigError(
      'invalid_options',
      `toleranceSeconds must be a finite number of seconds >= 0, got ${String(toleranceSeconds)}: ` +
        `leave it out for the default of ${DEFAULT_TOLERANCE_SECONDS}.`,
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new WebhookConfigError(
      'invalid_options',
      'now must be a function returning milliseconds since the epoch (like Date.now).',
    );
  }
  return { toleranceSeconds, now };
}

/**
 * Verifies a delivery signed with any of `keys`.
 *
 * @throws {WebhookVerificationError} with the code of the first check that failed.
 */
export function verifyWithKeys(
  keys: readonly V1Key[],
  headers: HeaderSource,
  body: string | Uint8Array,
  settings: VerifySettings,
): VerifiedDelivery {
  const { header, timestamp } = readFreshHeaders(headers, settings);
  const candidates = v1Candidates(header.signature);
  const bytes = bodyBytes(body);
  for (const key of keys) {
    writeLatin1(expectedScratch, 0, v1Digest(key, header.id, timestamp, bytes));
    for (const candidate of candidates) {
      writeLatin1(candidateScratch, 0, candidate);
      if (timingSafeEqual(candidateScratch, expectedScratch))
        return { id: header.id, timestamp, body: bytes };
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    `No v1 signature in webhook-signature matches this delivery (${candidates.length} tried against ` +
      `${keys.length} secret${keys.length > 1 ? 's' : ''}): ${SECRET_HINT}.`,
  );
}

/**
 * The start every scheme shares: the three headers read, and the timestamp parsed and within the
 * tolerance.
 */
export function readFreshHeaders(
  headers: HeaderSource,
  settings: VerifySettings,
): { header: WebhookHeaders; timestamp: number } {
  const header = readWebhookHeaders(headers);
  const timestamp = parseTimestamp(header.timestamp);
  checkTolerance(timestamp, settings);
  return { header, timestamp };
}

/** webhook-timestamp as whole seconds; throws `invalid_timestamp` unless it is 1-15 digits. */
export function parseTimestamp(value: string): number {
  if (!isDigits(value)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp must be whole Unix seconds (digits only), got "${truncate(value)}".`,
    );
  }
  return Number(value);
}

/** Throws `timestamp_too_old` / `timestamp_too_new` outside the tolerance. */
export function checkTolerance(timestamp: number, { toleranceSeconds, now }: VerifySettings): void {
  const nowSeconds = Math.floor(now() / 1000);
  const age = nowSeconds - timestamp;
  if (age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp ${timestamp} is ${age} s old, more than the ${toleranceSeconds} s allowed: ` +
        'a replayed or long-delayed delivery (or a server clock that is off: check NTP).',
    );
  }
  if (-age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp ${timestamp} is ${-age} s in the future, more than the ${toleranceSeconds} s allowed: ` +
        'check the server clock (NTP).',
    );
  }
}

/**
 * The well-formed `v1,` entries of a signature list (the 44 base64 characters after `v1,`).
 * Entries of other versions (`v1a`, `v2`) are skipped; a trailing comma left by `, `-joined
 * duplicate header lines is tolerated.
 */
export function v1Candidates(signatureHeader: string): string[] {
  // Fast path for the usual header, one entry: `v1,` + 44 characters.
  if (signatureHeader.length === V1_LENGTH + 3 && signatureHeader.startsWith('v1,')) {
    const signature = signatureHeader.slice(3);
    if (isV1Signature(signature)) return [signature];
  }
  const candidates: string[] = [];
  let malformedV1 = 0;
  for (const { version, signature } of parseSignatureEntries(signatureHeader)) {
    if (version !== 'v1') continue;
    if (isV1Signature(signature)) candidates.push(signature);
    else malformedV1 += 1;
  }
  if (candidates.length === 0) {
    throw new WebhookVerificationError(
      'invalid_signature_header',
      malformedV1 > 0
        ? `webhook-signature has no well-formed v1 entry: each must be "v1," followed by the 44-character ` +
            `base64 HMAC-SHA256 (got "${truncate(signatureHeader)}").`
        : `webhook-signature has no v1 entry: expected a space-separated list like "v1,<base64>" ` +
            `(got "${truncate(signatureHeader)}").`,
    );
  }
  return candidates;
}

/** 1 to MAX_TIMESTAMP_DIGITS ASCII digits. */
function isDigits(value: string): boolean {
  if (value.length === 0 || value.length > MAX_TIMESTAMP_DIGITS) return false;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** 43 base64 characters and one `=`: the form of a v1 signature. */
function isV1Signature(value: string): boolean {
  if (value.length !== V1_LENGTH || value.charCodeAt(V1_LENGTH - 1) !== 0x3d) return false;
  for (let i = 0; i < V1_LENGTH - 1; i += 1) if (BASE64_ALPHABET[value.charCodeAt(i)] !== 1) return false;
  return true;
}

function truncate(value: string): string {
  return value.length > 120 ? `${value.slice(0, 120)}…` : value;
}
