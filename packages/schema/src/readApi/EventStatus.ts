import { type Static, Type } from '@sinclair/typebox';
import { eventStatuses } from './eventStatuses.js';

/**
 * Where a stored event stands: `received` (stored, not processed yet), `processed`, `failed` (its
 * handler threw; retried while `next_attempt_at` is set), `quarantined` (off contract) or
 * `unhandled` (valid, but no handler takes its type).
 */
export const EventStatus = Type.Union(
  eventStatuses.map((status) => Type.Literal(status)),
  { title: 'EventStatus', description: 'Where a stored event stands' },
);
export type EventStatus = Static<typeof EventStatus>;
