import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';
import { NextCursor } from './NextCursor.js';
import { forwardingLimits } from './readApiLimits.js';
import { WebhookId } from './WebhookId.js';

/** An (event, destination) given up after FORWARD_MAX_ATTEMPTS. */
export const DeadLetter = Type.Object(
  {
    webhook_id: WebhookId,
    destination: Type.String({ description: 'The destination: `nats`, `amqp` or `http`' }),
    type: Nullable(Type.String({ description: "The event's type" })),
    attempts: Type.Integer({ minimum: 0, description: 'Publishes tried' }),
    last_error: Nullable(Type.String({ description: "The last failed publish's error" })),
    received_at: Type.String({ format: 'date-time', description: 'When the receiver stored the event' }),
  },
  { title: 'DeadLetter', description: 'An event given up on for one forwarding destination' },
);
export type DeadLetter = Static<typeof DeadLetter>;

/** One page of GET /forwarding/dead-letters, by webhook-id then destination. */
export const DeadLetterPage = Type.Object(
  {
    dead_letters: Type.Array(DeadLetter),
    next_cursor: NextCursor,
    matching: Type.Integer({
      minimum: 0,
      maximum: forwardingLimits.matchingCount,
      description: `Dead letters matching the filters on every page, counted up to ${forwardingLimits.matchingCount}`,
    }),
    matching_capped: Type.Boolean({ description: `More than ${forwardingLimits.matchingCount} match` }),
  },
  { title: 'DeadLetterPage', description: 'One page of dead letters, by webhook-id then destination' },
);
export type DeadLetterPage = Static<typeof DeadLetterPage>;
