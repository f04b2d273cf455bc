import { type Static, Type } from '@sinclair/typebox';
import { EventSummary } from './EventSummary.js';
import { NextCursor } from './NextCursor.js';

/** One page of GET /events, newest first. */
export const EventPage = Type.Object(
  { events: Type.Array(EventSummary), next_cursor: NextCursor },
  { title: 'EventPage', description: 'One page of stored events, newest first' },
);
export type EventPage = Static<typeof EventPage>;
