import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';
import { EventError } from './EventError.js';
import { EventStatus } from './EventStatus.js';
import { WebhookId } from './WebhookId.js';

const instant = (description: string) => Type.String({ format: 'date-time', description });

/** One stored event as GET /events lists it: its state, without headers or payload. */
export const EventSummary = Type.Object(
  {
    webhook_id: WebhookId,
    type: Nullable(
      Type.String({ description: 'The payload type; null when the body was not JSON with a string type' }),
    ),
    status: EventStatus,
    errors: Nullable(
      Type.Array(EventError, {
        description: 'The first contract errors (at most 20); null when there are none',
      }),
    ),
    error_count: Nullable(Type.Integer({ minimum: 0, description: 'Contract errors found in all' })),
    errors_truncated: Type.Boolean({ description: '`errors` lists fewer than `error_count`' }),
    deliveries_seen: Type.Integer({ minimum: 1, description: 'Deliveries of this webhook-id received' }),
    received_at: instant('When the first delivery was stored'),
    processed_at: Nullable(instant('When the event was last settled')),
    attempts: Type.Integer({ minimum: 0, description: 'Processing attempts so far' }),
    last_error: Nullable(Type.String({ description: "The last failed attempt's error" })),
    next_attempt_at: Nullable(instant('When a failed event is tried again; null when it will not be')),
  },
  { title: 'EventSummary', description: 'A stored event without its headers and payload' },
);
export type EventSummary = Static<typeof EventSummary>;
