import { parseSecretList, WebhookConfigError } from '@webhook-contracts/webhooks/secrets';
import { missingSecretError, SenderConfigError } from '../errors.js';

/**
 * The signing secrets: `--secret` when given, else `WEBHOOK_SECRET`; both may list several,
 * comma-separated (every attempt is then signed with each, as during a rotation).
 *
 * @throws {SenderConfigError} `missing_secret` when neither is set.
 * @example
 * resolveSecrets(undefined, process.env); // ['whsec_…'] from WEBHOOK_SECRET
 */
export function resolveSecrets(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const value = flag ?? env['WEBHOOK_SECRET'];
  if (value === undefined || value.trim() === '') throw missingSecretError();
  try {
    return parseSecretList(value);
  } catch (cause) {
    if (cause instanceof WebhookConfigError) {
      throw new SenderConfigError('missing_secret', missingSecretError().message, undefined, { cause });
    }
    throw cause;
  }
}
