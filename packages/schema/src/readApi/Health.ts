import { type Static, Type } from '@sinclair/typebox';
import { DestinationHealth } from './DestinationHealth.js';

/**
 * The 200 of GET /healthz: the store answered in time. With forwarding on, each destination's
 * health is listed too; a destination that is down does not make the receiver unhealthy (deliveries
 * are still stored, and forwarded once it is back).
 */
export const Health = Type.Object(
  {
    status: Type.Literal('ok'),
    forwarding: Type.Optional(
      Type.Array(DestinationHealth, {
        description: 'Each forwarding destination; absent when forwarding is off',
      }),
    ),
  },
  { title: 'Health', description: 'The receiver and its store are answering' },
);
export type Health = Static<typeof Health>;
