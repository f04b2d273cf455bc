import { type Static, Type } from '@sinclair/typebox';
import { forwardingLimits, parameterMaxLength } from './readApiLimits.js';
import { WebhookId } from './WebhookId.js';

/** The 202 of POST /events/{id}/forward: the event is pending again at these destinations. */
export const ForwardQueued = Type.Object(
  {
    status: Type.Literal('queued'),
    webhook_id: WebhookId,
    destinations: Type.Array(Type.String(), {
      description: 'The destinations it will be forwarded to again',
    }),
  },
  { title: 'ForwardQueued', description: 'The event is queued for forwarding again' },
);
export type ForwardQueued = Static<typeof ForwardQueued>;

/**
 * The 202 of POST /forwarding/dead-letters/forward: how many dead letters of this batch are pending
 * again, and where the next batch starts when more match.
 */
export const DeadLettersQueued = Type.Object(
  {
    status: Type.Literal('queued'),
    count: Type.Integer({
      minimum: 0,
      maximum: forwardingLimits.batch,
      description: `(event, destination) pairs made pending again, at most ${forwardingLimits.batch} per request`,
    }),
    next_cursor: Type.Union([Type.String({ maxLength: parameterMaxLength.cursor }), Type.Null()], {
      description:
        'More matching dead letters remain: call again with this as `cursor` (and the same filters); null when none remain',
    }),
  },
  { title: 'DeadLettersQueued', description: 'Dead letters queued for forwarding again' },
);
export type DeadLettersQueued = Static<typeof DeadLettersQueued>;
