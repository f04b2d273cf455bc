// The envelope every Whop webhook shares. `Envelope` accepts any `type` with any `data`; it is what
// an event of a type this contract does not know must still satisfy. `eventEnvelope` builds the
// schema of one known event from its `type` literal and its `data` schema.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { NullableString } from './NullableString.js';

const id = Type.String({
  description: 'A unique ID for every single webhook request',
  examples: ['msg_xxxxxxxxxxxxxxxxxxxxxxxx'],
});
const api_version = Type.Literal('v1', { description: 'The API version for this webhook', examples: ['v1'] });
const api_version_date = Type.Optional(
  NullableString({
    description:
      'The dated API version (Api-Version-Date) the payload is serialized to. Newer payloads carry it; older ones (and the docs page example) omit it.',
    examples: ['2026-07-20'],
  }),
);
const timestamp = Type.String({
  format: 'date-time',
  description: 'The timestamp in ISO 8601 format that the webhook was sent at on the server',
  examples: ['2025-01-01T00:00:00.000Z'],
});
const company_id = Type.Optional(
  NullableString({
    description: 'The account ID that this webhook event is associated with',
    examples: ['biz_xxxxxxxxxxxxxx'],
  }),
);
// An open object: its keys depend on the event, so the contract only says "object".
const previous_attributes = Type.Optional(
  Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description:
      'For some `.updated` events, the old values of the payload fields that changed, keyed by field name. Omitted when no capture is available for the event',
  }),
);

/** Any well-formed Whop webhook payload, whatever its `type`. Objects are open: extra keys pass. */
export const Envelope = Type.Object(
  {
    id,
    api_version,
    api_version_date,
    timestamp,
    type: Type.String({
      description: 'The webhook event type',
      examples: ['course_lesson_interaction.completed'],
    }),
    data: Type.Unknown({ description: 'The event payload; its shape depends on `type`' }),
    company_id,
    previous_attributes,
  },
  { title: 'Envelope', description: 'A Whop webhook payload of any event type' },
);
export type Envelope = Static<typeof Envelope>;

/**
 * The schema of one event: the envelope with `type` fixed to a literal and `data` given a schema.
 *
 * @example
 * export const PaymentSucceeded = eventEnvelope('payment.succeeded', Payment, {
 *   title: 'PaymentSucceeded', // the component name in the generated OpenAPI
 *   description: 'Sent when a payment succeeds',
 * });
 */
export function eventEnvelope<EventType extends string, Data extends TSchema>(
  type: EventType,
  data: Data,
  options: { title?: string; description?: string } = {},
) {
  return Type.Object(
    {
      id,
      api_version,
      api_version_date,
      timestamp,
      type: Type.Literal(type, { description: 'The webhook event type', examples: [type] }),
      data,
      company_id,
      previous_attributes,
    },
    options,
  );
}
