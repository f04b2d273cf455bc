import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';
import { NextCursor } from './NextCursor.js';
import { WebhookId } from './WebhookId.js';

/** An (event, destination) given up after FORWARD_MAX_ATTEMPTS. */
export const DeadLetter = Type.Object(
  {
    webhook_id: WebhookId,
    destination: Type.String({ description: 'The destination: `nats`, `amqp` or `http`' }),
    type: Nullable(Type.String({ description: "The event's type" })),
    attempts: Type.Integer({ minimum: 0, description: 'Publishes tried' }),
    last_error: Nullable(Type.String({ description: "The last failed publish's error" })),
  },
  { title: 'DeadLetter', description: 'An event given up on for one forwarding destination' },
);
export type DeadLetter = Static<typeof DeadLetter>;

/** One page of GET /forwarding/dead-letters, by webhook-id then destination. */
export const DeadLetterPage = Type.Object(
  { dead_letters: Type.Array(DeadLetter), next_cursor: NextCursor },
  { title: 'DeadLetterPage', description: 'One page of dead letters, by webhook-id then destination' },
);
export type DeadLetterPage = Static<typeof DeadLetterPage>;
