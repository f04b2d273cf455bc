// One endpoint's keys of both schemes, decoded once: `v1` HMAC secrets and `v1a` ed25519 keys, read
// from the same setting (a comma list or an array may mix them during a migration).
import type { KeyObject } from 'node:crypto';
import {
  decodePublicKey,
  decodeSigningKey,
  PUBLIC_KEY_PREFIX,
  SIGNING_KEY_PREFIX,
} from './asymmetricKeys.js';
import { decodeSecret, SECRET_FORMS, type SecretInput } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import { parseSecretList } from './parseSecretList.js';

/** A signature scheme of Standard Webhooks: `v1` (HMAC-SHA256) or `v1a` (ed25519). */
export type SignatureScheme = 'v1' | 'v1a';

export interface WebhookKeys {
  /** `v1` HMAC keys. */
  hmac: Buffer[];
  /** `v1a` private keys (from `whsk_`), in the order given. */
  signers: KeyObject[];
  /** `v1a` public keys: every `whpk_` and the public half of every `whsk_`. */
  verifiers: KeyObject[];
  /** How many `whpk_` keys were given (they verify but cannot sign). */
  publicOnly: number;
}

/**
 * Decodes a secret setting that may mix both schemes: `whsk_`/`whpk_` entries become ed25519 keys,
 * every other entry goes through `decodeSecret`. With `purpose: 'sign'` a `whpk_` key is refused (a
 * public key cannot sign).
 *
 * @throws {WebhookConfigError} `invalid_secret` for an unusable entry or an empty list.
 * @example
 * decodeKeys('whpk_…,whsec_…', 'verify'); // { hmac: [1 key], verifiers: [1 key], signers: [], publicOnly: 1 }
 */
export function decodeKeys(
  secret: SecretInput | readonly SecretInput[],
  purpose: 'sign' | 'verify',
): WebhookKeys {
  const items: readonly SecretInput[] = Array.isArray(secret) ? secret : [secret as SecretInput];
  if (items.length === 0) {
    throw new WebhookConfigError('invalid_secret', `The list of webhook secrets is empty: ${SECRET_FORMS}.`);
  }
  const keys: WebhookKeys = { hmac: [], signers: [], verifiers: [], publicOnly: 0 };
  for (const item of items) {
    for (const entry of typeof item === 'string' ? parseSecretList(item) : [item]) {
      if (typeof entry === 'string' && entry.startsWith(SIGNING_KEY_PREFIX)) {
        const { privateKey, publicKey } = decodeSigningKey(entry);
        keys.signers.push(privateKey);
        keys.verifiers.push(publicKey);
      } else if (typeof entry === 'string' && entry.startsWith(PUBLIC_KEY_PREFIX)) {
        if (purpose === 'sign') decodeSigningKey(entry); // throws its message for a public key
        keys.verifiers.push(decodePublicKey(entry));
        keys.publicOnly += 1;
      } else {
        keys.hmac.push(decodeSecret(entry));
      }
    }
  }
  return keys;
}

/** The schemes a key set verifies, `v1` first. */
export function keySchemes(keys: WebhookKeys): SignatureScheme[] {
  const schemes: SignatureScheme[] = [];
  if (keys.hmac.length > 0) schemes.push('v1');
  if (keys.verifiers.length > 0) schemes.push('v1a');
  return schemes;
}
