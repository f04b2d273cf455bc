import { type Static, Type } from '@sinclair/typebox';
import { EventError } from './EventError.js';
import { WebhookId } from './WebhookId.js';

/**
 * POST /webhooks, 200 (CONTRACT_MODE=quarantine): correctly signed but off contract; kept as
 * `quarantined` and answered 2xx so the sender does not retry what a retry cannot fix.
 */
export const WebhookQuarantined = Type.Object(
  {
    status: Type.Literal('quarantined'),
    webhook_id: WebhookId,
    errors: Type.Array(EventError, { description: 'The first contract errors (at most 20)' }),
    error_count: Type.Integer({ minimum: 1, description: 'Contract errors found in all' }),
    errors_truncated: Type.Boolean({ description: '`errors` lists fewer than `error_count`' }),
  },
  { title: 'WebhookQuarantined', description: 'An off-contract delivery, kept as quarantined' },
);
export type WebhookQuarantined = Static<typeof WebhookQuarantined>;
