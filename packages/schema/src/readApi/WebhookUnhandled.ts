import { type Static, Type } from '@sinclair/typebox';
import { WebhookId } from './WebhookId.js';

/** POST /webhooks, 200: a valid envelope of a type the contract does not know, kept as `unhandled`. */
export const WebhookUnhandled = Type.Object(
  { status: Type.Literal('unhandled'), webhook_id: WebhookId },
  { title: 'WebhookUnhandled', description: 'An event of an unknown type, kept unprocessed' },
);
export type WebhookUnhandled = Static<typeof WebhookUnhandled>;
