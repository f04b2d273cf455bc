import { type Static, Type } from '@sinclair/typebox';
import { DestinationHealth } from './DestinationHealth.js';

/** The local spool of a receiver on PostgreSQL with SPOOL_DIR set. */
export const SpoolHealth = Type.Object(
  {
    depth: Type.Integer({ minimum: 0, description: 'Deliveries in the spool not yet in the store' }),
    bytes: Type.Integer({ minimum: 0, description: "Bytes of the spool's files" }),
    max_bytes: Type.Integer({ minimum: 1, description: 'The spool budget (SPOOL_MAX_BYTES)' }),
    oldest_age_seconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      description: 'Age of the oldest spooled delivery; null when the spool is empty',
    }),
    accepting: Type.Boolean({ description: 'The spool has room for more deliveries' }),
  },
  { title: 'SpoolHealth' },
);
export type SpoolHealth = Static<typeof SpoolHealth>;

/**
 * The 200 of GET /healthz: the receiver is taking deliveries. `ok`: the store answered in time.
 * `spooling`: the store did not, and deliveries go to the local spool, which has room. With
 * forwarding on, each destination's health is listed too; a destination that is down does not make
 * the receiver unhealthy (deliveries are still stored, and forwarded once it is back).
 */
export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('spooling')]),
    forwarding: Type.Optional(
      Type.Array(DestinationHealth, {
        description: 'Each forwarding destination; absent when forwarding is off',
      }),
    ),
    spool: Type.Optional(SpoolHealth),
  },
  { title: 'Health', description: 'The receiver is taking deliveries' },
);
export type Health = Static<typeof Health>;
