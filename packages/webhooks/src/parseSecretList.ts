import { WebhookConfigError } from './errors.js';

/**
 * Splits a comma-separated secrets setting (for rotation: old and new secret side by side) into a
 * list of trimmed, non-empty secrets. Commas never occur inside whsec_ or ws_ secrets.
 *
 * @throws {WebhookConfigError} code `invalid_secret` when the value holds no secret at all.
 * @example
 * parseSecretList(process.env.WEBHOOK_SECRET ?? ''); // 'ws_new, whsec_old' -> ['ws_new', 'whsec_old']
 */
export function parseSecretList(value: string): string[] {
  const secrets = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (secrets.length === 0) {
    throw new WebhookConfigError(
      'invalid_secret',
      'No webhook secret was given: pass the endpoint secret (whsec_… or ws_…); separate several with commas.',
    );
  }
  return secrets;
}
