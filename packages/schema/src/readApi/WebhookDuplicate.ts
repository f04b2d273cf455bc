import { type Static, Type } from '@sinclair/typebox';
import { WebhookId } from './WebhookId.js';

/** POST /webhooks, 200: a webhook-id already stored; nothing new is stored or processed. */
export const WebhookDuplicate = Type.Object(
  {
    status: Type.Literal('duplicate'),
    webhook_id: WebhookId,
    deliveries_seen: Type.Integer({
      minimum: 2,
      description: 'Deliveries of this webhook-id, this one included',
    }),
  },
  { title: 'WebhookDuplicate', description: 'A webhook-id already stored' },
);
export type WebhookDuplicate = Static<typeof WebhookDuplicate>;
