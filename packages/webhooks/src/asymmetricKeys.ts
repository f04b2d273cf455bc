// The ed25519 keys of the Standard Webhooks `v1a` scheme. A signing key is `whsk_<base64>` of either
// the 32-byte seed (RFC 8032's private key) or the 64-byte seed followed by its public key (the
// layout Svix emits); a public key is `whpk_<base64>` of the 32-byte RFC 8032 public key. Both are
// turned into node:crypto KeyObjects once, here, through DER (PKCS#8 / SPKI), so verification never
// re-parses a key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { STRICT_BASE64 } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';

export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

/** A decoded `whsk_` key: signs, and verifies through its public half. */
export interface Ed25519Signer {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const SEED_BYTES = 32;
const PUBLIC_BYTES = 32;
// The fixed DER headers of an ed25519 key (RFC 8410): followed by the raw 32 bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const LAYOUTS =
  'the 32-byte seed (44 base64 characters) or the 64-byte seed followed by its public key ' +
  '(88 characters, the layout Svix emits)';
const PAIR_HINT = 'copy it again, or generate a new pair (generateKeyPair(), or `mock-sender keys`)';

/** True for a `whsk_…` or `whpk_…` string: a key of the v1a scheme, not an HMAC secret. */
export function isAsymmetricKey(value: string): boolean {
  return value.startsWith(SIGNING_KEY_PREFIX) || value.startsWith(PUBLIC_KEY_PREFIX);
}

/**
 * Decodes a `whsk_` signing key. A 64-byte key's second half must be the public key of its first.
 *
 * @throws {WebhookConfigError} `invalid_secret` for any other length, bad base64 or a mismatched pair.
 * @example
 * const { privateKey, publicKey } = decodeSigningKey(process.env.WEBHOOK_SIGNING_KEY!);
 */
export function decodeSigningKey(value: string): Ed25519Signer {
  if (value.startsWith(PUBLIC_KEY_PREFIX)) {
    throw invalid(
      'The key is a whpk_ public key: it verifies v1a signatures but cannot make them. Sign with the whsk_ ' +
        'signing key it belongs to (kept by the sender only).',
    );
  }
  const bytes = keyBytes(value, SIGNING_KEY_PREFIX, 'signing key');
  if (bytes.length !== SEED_BYTES && bytes.length !== SEED_BYTES + PUBLIC_BYTES) {
    const der =
      bytes.length === PKCS8_PREFIX.length + SEED_BYTES && bytes.subarray(0, 16).equals(PKCS8_PREFIX);
    throw invalid(
      `The whsk_ signing key holds ${bytes.length} bytes; an ed25519 signing key is ${LAYOUTS}.` +
        (der
          ? ' These bytes are a PKCS#8 DER key: pass its last 32 bytes (the seed) instead.'
          : ` ${cap(PAIR_HINT)}.`),
    );
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, bytes.subarray(0, SEED_BYTES)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  if (bytes.length > SEED_BYTES && !rawPublicKey(publicKey).equals(bytes.subarray(SEED_BYTES))) {
    throw invalid(
      'The whsk_ signing key holds a seed and a public key that do not belong together (its last 32 bytes are ' +
        `not the public key of its first 32): the key was altered or spliced; ${PAIR_HINT}.`,
    );
  }
  return { privateKey, publicKey };
}

/**
 * Decodes a `whpk_` public key (32 bytes).
 *
 * @throws {WebhookConfigError} `invalid_secret` for another length or bad base64, and for a `whsk_` key.
 * @example
 * const key = decodePublicKey('whpk_…'); // a node:crypto KeyObject of type ed25519
 */
export function decodePublicKey(value: string): KeyObject {
  if (value.startsWith(SIGNING_KEY_PREFIX)) {
    throw invalid(
      'The key is a whsk_ signing key where a whpk_ public key is expected: a verifier holding the signing key ' +
        'could forge webhooks. Give it the whpk_ key of the pair; keep whsk_ on the sender.',
    );
  }
  const bytes = keyBytes(value, PUBLIC_KEY_PREFIX, 'public key');
  if (bytes.length !== PUBLIC_BYTES) {
    const der =
      bytes.length === SPKI_PREFIX.length + PUBLIC_BYTES && bytes.subarray(0, 12).equals(SPKI_PREFIX);
    throw invalid(
      `The whpk_ public key holds ${bytes.length} bytes; an ed25519 public key is 32 bytes (44 base64 characters).` +
        (der ? ' These bytes are an SPKI DER key: pass its last 32 bytes instead.' : ` ${cap(PAIR_HINT)}.`),
    );
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, bytes]), format: 'der', type: 'spki' });
}

/**
 * A new ed25519 pair: `signingKey` (whsk_, the 32-byte seed) for the sender, `publicKey` (whpk_) for
 * every receiver.
 *
 * @example
 * const { signingKey, publicKey } = generateKeyPair(); // 'whsk_…', 'whpk_…'
 */
export function generateKeyPair(): { signingKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  return {
    signingKey: `${SIGNING_KEY_PREFIX}${seed.toString('base64')}`,
    publicKey: `${PUBLIC_KEY_PREFIX}${rawPublicKey(publicKey).toString('base64')}`,
  };
}

/** The raw 32 bytes of an ed25519 public KeyObject. */
export function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
}

function keyBytes(value: string, prefix: string, what: string): Buffer {
  if (!value.startsWith(prefix)) {
    throw invalid(`An ed25519 ${what} starts with ${prefix}; got a value without it.`);
  }
  const encoded = value.slice(prefix.length);
  if (encoded === '') throw invalid(`The ${what} "${prefix}" has nothing after the prefix: ${PAIR_HINT}.`);
  if (!STRICT_BASE64.test(encoded) || Buffer.from(encoded, 'base64').toString('base64') !== encoded) {
    throw invalid(
      `The ${what} after ${prefix} is not canonical base64 (A–Z, a–z, 0–9, +, /, padded with =)` +
        (/[-_]/.test(encoded)
          ? ': it uses the base64url alphabet (- and _), Standard Webhooks keys use + and /'
          : '') +
        `; ${PAIR_HINT}.`,
    );
  }
  return Buffer.from(encoded, 'base64');
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function invalid(message: string): WebhookConfigError {
  return new WebhookConfigError('invalid_secret', message);
}
