import { type Static, Type } from '@sinclair/typebox';
import { WebhookId } from './WebhookId.js';

/** POST /webhooks, 200: a new event of a known type, stored durably and queued for processing. */
export const WebhookAccepted = Type.Object(
  { status: Type.Literal('accepted'), webhook_id: WebhookId },
  { title: 'WebhookAccepted', description: 'A new event, stored and queued for processing' },
);
export type WebhookAccepted = Static<typeof WebhookAccepted>;
