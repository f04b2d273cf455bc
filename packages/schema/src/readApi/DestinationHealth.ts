import { type Static, Type } from '@sinclair/typebox';

/** Whether one forwarding destination is reachable, as /healthz reports it beside the receiver's own health. */
export const DestinationHealth = Type.Object(
  {
    destination: Type.String({ description: 'The destination: `nats`, `amqp` or `http`' }),
    up: Type.Boolean({ description: 'Its last connection or publish worked' }),
    error: Type.Optional(Type.String({ description: 'Why it is down (credentials removed)' })),
  },
  { title: 'DestinationHealth', description: 'A forwarding destination is reachable or not' },
);
export type DestinationHealth = Static<typeof DestinationHealth>;
