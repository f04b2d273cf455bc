import type { SecretInput } from './decodeSecret.js';
import { signWithKeys, signWithV1Keys } from './sign.js';
import { prepareV1Key } from './v1Key.js';
import { decodeKeys } from './webhookKeys.js';

/** Makes the `webhook-signature` value for one delivery. */
export type Signer = (id: string, timestamp: number, body: string | Uint8Array) => string;

/**
 * A signer for an endpoint's secret(s), decoded once: the same `webhook-signature` value as
 * `Webhook.sign` (one `v1,` entry per secret, one `v1a,` per `whsk_` key), without the verifying
 * side and the contract it validates against, which a program that only sends never loads.
 *
 * @throws {WebhookConfigError} `invalid_secret` for an unusable secret or a `whpk_` public key (it
 * verifies but cannot sign).
 * @example
 * const sign = createSigner(process.env.WEBHOOK_SECRET!);
 * const signature = sign('msg_1', Math.floor(Date.now() / 1000), body); // 'v1,…'
 */
export function createSigner(secret: SecretInput | readonly SecretInput[]): Signer {
  const keys = decodeKeys(secret, 'sign');
  if (keys.signers.length > 0) return (id, timestamp, body) => signWithKeys(keys, id, timestamp, body);
  const v1Keys = keys.hmac.map(prepareV1Key);
  return (id, timestamp, body) => signWithV1Keys(v1Keys, id, timestamp, body);
}
