import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';

const instant = (description: string) => Type.String({ format: 'date-time', description });

/** Where one stored event is on its way to one forwarding destination (GET /events/{id}). */
export const ForwardingState = Type.Object(
  {
    destination: Type.String({ description: 'The destination: `nats`, `amqp` or `http`' }),
    state: Type.Union(
      [Type.Literal('pending'), Type.Literal('forwarded'), Type.Literal('dead'), Type.Literal('stopped')],
      {
        description:
          '`pending`: waiting or being retried; `forwarded`: the destination acknowledged it; `dead`: given up after FORWARD_MAX_ATTEMPTS; `stopped`: the destination refused it for good (HTTP 410)',
      },
    ),
    attempts: Type.Integer({ minimum: 0, description: 'Publishes tried so far' }),
    last_error: Nullable(Type.String({ description: "The last failed publish's error" })),
    next_attempt_at: Nullable(instant('When a pending event is tried next')),
    forwarded_at: Nullable(instant('When the destination acknowledged it')),
  },
  { title: 'ForwardingState', description: "An event's state at one forwarding destination" },
);
export type ForwardingState = Static<typeof ForwardingState>;
