import { decodeSecret, SECRET_FORMS, type SecretInput } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import { parseSecretList } from './parseSecretList.js';

/**
 * The HMAC keys for one secret setting or a list of them, as `new Webhook(…)` and `sign(…)` read
 * them: every string, alone or in an array, is read with `parseSecretList` (a comma list; whitespace
 * around each secret dropped), then each secret is decoded by `decodeSecret`. Bytes are one key.
 *
 * @throws {WebhookConfigError} `invalid_secret` for an unusable secret or an empty list.
 * @example
 * decodeSecrets(process.env.WEBHOOK_SECRET!); // 'ws_new,whsec_old' -> two keys
 * decodeSecrets([newSecret, oldSecret]); // two keys
 */
export function decodeSecrets(secret: SecretInput | readonly SecretInput[]): Buffer[] {
  const list: readonly SecretInput[] = isSecretList(secret) ? secret : [secret];
  if (list.length === 0) {
    throw new WebhookConfigError('invalid_secret', `The list of webhook secrets is empty: ${SECRET_FORMS}.`);
  }
  return list.flatMap((item) =>
    typeof item === 'string' ? parseSecretList(item).map(decodeSecret) : [decodeSecret(item)],
  );
}

function isSecretList(secret: SecretInput | readonly SecretInput[]): secret is readonly SecretInput[] {
  return Array.isArray(secret);
}
