import { type Static, Type } from '@sinclair/typebox';
import { EventSummary } from './EventSummary.js';
import { ForwardingState } from './ForwardingState.js';

/**
 * One stored event as GET /events/{id} answers it: its summary, the headers kept, and the body
 * exactly as it arrived: `payload` when it is JSON (spliced in verbatim), else `payload_text`.
 * Exactly one of the two is present.
 */
export const EventRecord = Type.Composite(
  [
    EventSummary,
    Type.Object({
      headers: Type.Record(Type.String(), Type.String(), {
        description:
          'The delivery headers kept with the event (content-type, content-length, user-agent, webhook-id, webhook-timestamp)',
      }),
      payload: Type.Optional(Type.Unknown({ description: 'The JSON body as it arrived' })),
      payload_text: Type.Optional(Type.String({ description: 'The body as text, when it is not JSON' })),
      forwarding: Type.Optional(
        Type.Array(ForwardingState, {
          description: 'Its state at each forwarding destination it goes to; absent when forwarding is off',
        }),
      ),
    }),
  ],
  {
    title: 'EventRecord',
    description: 'A stored event with its headers and payload',
    oneOf: [{ required: ['payload'] }, { required: ['payload_text'] }],
  },
);
export type EventRecord = Static<typeof EventRecord>;
