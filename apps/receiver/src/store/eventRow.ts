// The webhook_events row as both databases return it, and its one codec to the Store's types.
// SQLite hands back JSON columns as text and integers as numbers; PostgreSQL parses jsonb and
// returns BIGINT as strings. A new column is added here (and in each schema).
import type { EventError, EventStatus, EventSummary, ExportedEvent, StoredEvent } from './Store.js';

/** The columns of an event summary; `seq` orders pages (see eventCursor). */
export const summaryColumns = `seq, webhook_id, event_type, status, errors, deliveries_seen, received_at,
  processed_at, attempts, last_error, next_attempt_at`;

/** A BIGINT column: a number from SQLite, a string from PostgreSQL. */
type Int = number | string;

export interface EventRow {
  seq: Int;
  webhook_id: string;
  event_type: string | null;
  status: EventStatus;
  /** JSON text (SQLite) or parsed jsonb (PostgreSQL). */
  errors: string | EventError[] | null;
  deliveries_seen: number;
  received_at: Int;
  processed_at: Int | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Int | null;
  body?: Buffer;
  headers?: string | Record<string, string>;
}

/** The columns an export reads, in their order (see StoreCore.exportEvents). */
export const exportColumns = 'webhook_id, event_type, status, received_at, body';

/** A webhook_events row as an export reads it. */
export interface ExportRow {
  webhook_id: string;
  event_type: string | null;
  status: EventStatus;
  received_at: Int;
  body: Buffer;
}

/** One lesson_completions row. */
export interface CompletionRow {
  user_id: string;
  course_id: string;
  lesson_id: string;
  completed_at: Int;
}

function json<T>(value: string | T): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function optionalInt(value: Int | null): number | null {
  return value === null ? null : Number(value);
}

export function toSummary(row: EventRow): EventSummary {
  return {
    webhookId: row.webhook_id,
    type: row.event_type,
    status: row.status,
    errors: row.errors === null ? null : json<EventError[]>(row.errors),
    deliveriesSeen: row.deliveries_seen,
    receivedAt: Number(row.received_at),
    processedAt: optionalInt(row.processed_at),
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: optionalInt(row.next_attempt_at),
  };
}

/** A row read with its `body` and `headers`. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    ...toSummary(row),
    body: row.body!,
    headers: row.headers === undefined ? {} : json<Record<string, string>>(row.headers),
  };
}

export function toExportedEvent(row: ExportRow): ExportedEvent {
  return {
    webhookId: row.webhook_id,
    type: row.event_type,
    status: row.status,
    receivedAt: Number(row.received_at),
    body: row.body,
  };
}
