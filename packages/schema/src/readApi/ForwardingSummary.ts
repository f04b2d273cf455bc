import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';
import { forwardingLimits } from './readApiLimits.js';

const count = (description: string) =>
  Type.Integer({ minimum: 0, maximum: forwardingLimits.backlogCount, description });

/** One forwarding destination as GET /forwarding shows it: reachable or not, and its backlog. */
export const DestinationBacklog = Type.Object(
  {
    destination: Type.String({ description: 'The destination: `nats`, `amqp` or `http`' }),
    up: Type.Boolean({ description: 'Its last connection or publish worked' }),
    error: Type.Optional(Type.String({ description: 'Why it is down (credentials removed)' })),
    pending: count(`Events waiting for it, counted up to ${forwardingLimits.backlogCount}`),
    pending_capped: Type.Boolean({ description: `More than ${forwardingLimits.backlogCount} wait` }),
    oldest_pending_at: Nullable(
      Type.String({ format: 'date-time', description: 'When the oldest waiting event was queued for it' }),
    ),
    oldest_pending_age_seconds: Nullable(
      Type.Number({ minimum: 0, description: "The oldest waiting event's age, by the receiver's clock" }),
    ),
    dead: count(`Dead letters, counted up to ${forwardingLimits.backlogCount}`),
    dead_capped: Type.Boolean({ description: `More than ${forwardingLimits.backlogCount} dead letters` }),
    forwarded: Type.Integer({
      minimum: 0,
      description: 'Events it acknowledged, by this instance since it started',
    }),
    failed: Type.Integer({
      minimum: 0,
      description: 'Publishes that failed, by this instance since it started',
    }),
    dead_lettered: Type.Integer({
      minimum: 0,
      description: 'Events given up on (FORWARD_MAX_ATTEMPTS), by this instance since it started',
    }),
  },
  { title: 'DestinationBacklog', description: "A forwarding destination's health and backlog" },
);
export type DestinationBacklog = Static<typeof DestinationBacklog>;

/** The 200 of GET /forwarding: each destination's health and bounded backlog. */
export const ForwardingSummary = Type.Object(
  {
    enabled: Type.Boolean({
      description: 'Forwarding is on (FORWARD_NATS_URL, FORWARD_AMQP_URL or FORWARD_HTTP_URL is set)',
    }),
    destinations: Type.Array(DestinationBacklog, {
      description: 'Each destination; empty when forwarding is off',
    }),
  },
  { title: 'ForwardingSummary', description: 'Forwarding at a glance: each destination and its backlog' },
);
export type ForwardingSummary = Static<typeof ForwardingSummary>;
