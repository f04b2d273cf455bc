import { type Static, Type } from '@sinclair/typebox';
import { WebhookId } from './WebhookId.js';

/** The 202 of POST /events/{id}/replay: the event is `received` again and the processor will run it. */
export const ReplayQueued = Type.Object(
  { status: Type.Literal('queued'), webhook_id: WebhookId },
  { title: 'ReplayQueued', description: 'The event is queued for processing again' },
);
export type ReplayQueued = Static<typeof ReplayQueued>;
