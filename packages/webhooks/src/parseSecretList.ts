import { SECRET_FORMS } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';

/**
 * Reads a secrets setting (an env var, a flag): a comma-separated list (for rotation: old and new
 * secret side by side) of secrets, each with the whitespace around it removed, empty entries
 * dropped. This is the one whitespace rule: `new Webhook(…)`, `sign(…)`, the receiver and every
 * mock-sender command read a secret string this way. Commas never occur inside a secret of any
 * accepted form (base64 and hex have none).
 *
 * @throws {WebhookConfigError} code `invalid_secret` when the value holds no secret at all.
 * @example
 * parseSecretList(process.env.WEBHOOK_SECRET ?? ''); // 'ws_new, whsec_old\n' -> ['ws_new', 'whsec_old']
 */
export function parseSecretList(value: string): string[] {
  const secrets = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (secrets.length === 0) {
    throw new WebhookConfigError(
      'invalid_secret',
      `No webhook secret was given: ${SECRET_FORMS}; separate several with commas.`,
    );
  }
  return secrets;
}
