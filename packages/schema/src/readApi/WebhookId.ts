import { type Static, Type } from '@sinclair/typebox';
import { parameterMaxLength } from './readApiLimits.js';

/**
 * The `webhook-id` a delivery arrived with: the key a stored event is deduplicated and addressed
 * by. The receiver refuses a longer one (422 `unstorable_delivery`), so every stored id fits.
 */
export const WebhookId = Type.String({
  minLength: 1,
  maxLength: parameterMaxLength.webhook_id,
  description: 'The webhook-id the delivery arrived with',
  examples: ['msg_xxxxxxxxxxxxxxxxxxxxxxxx'],
});
export type WebhookId = Static<typeof WebhookId>;
