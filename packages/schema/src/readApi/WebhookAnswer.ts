import { type Static, Type } from '@sinclair/typebox';
import { WebhookAccepted } from './WebhookAccepted.js';
import { WebhookDuplicate } from './WebhookDuplicate.js';
import { WebhookQuarantined } from './WebhookQuarantined.js';
import { WebhookUnhandled } from './WebhookUnhandled.js';

/** Every 200 of POST /webhooks, told apart by `status`. */
export const WebhookAnswer = Type.Union(
  [WebhookAccepted, WebhookDuplicate, WebhookUnhandled, WebhookQuarantined],
  {
    title: 'WebhookAnswer',
    description: 'The delivery was taken: accepted, duplicate, unhandled or quarantined',
  },
);
export type WebhookAnswer = Static<typeof WebhookAnswer>;
