// The webhook_events row as both databases return it, and its one codec to the Store's types.
// SQLite hands back JSON columns as text and integers as numbers; PostgreSQL parses jsonb and
// returns BIGINT as strings. A new column is added here (and in each schema).
import { boundText, maxListedContractErrors } from '@webhook-contracts/schema';
import type { EventError, EventStatus, EventSummary, ExportedEvent, StoredEvent } from './Store.js';

/** The columns of an event summary; `seq` orders pages (see eventCursor). */
export const summaryColumns = `seq, webhook_id, type, status, errors, error_count, deliveries_seen,
  received_at, processed_at, attempts, last_error, next_attempt_at`;

/** A BIGINT column: a number from SQLite, a string from PostgreSQL. */
type Int = number | string;

export interface EventRow {
  seq: Int;
  webhook_id: string;
  type: string | null;
  status: EventStatus;
  /** JSON text (SQLite) or parsed jsonb (PostgreSQL): the first contract errors. */
  errors: string | EventError[] | null;
  /** How many contract errors were found; null with `errors`. */
  error_count: number | null;
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
export const exportColumns = 'webhook_id, type, status, received_at, body';

/** A webhook_events row as an export reads it. */
export interface ExportRow {
  webhook_id: string;
  type: string | null;
  status: EventStatus;
  received_at: Int;
  body: Buffer;
}

/** The columns an export page is sized by: an event's place and its body's length. */
export const exportSizeColumns = 'webhook_id, received_at, length(body) AS body_bytes';

/** A webhook_events row as an export sizes its page. */
export interface ExportSizeRow {
  webhook_id: string;
  received_at: Int;
  body_bytes: Int;
}

function json<T>(value: string | T): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function optionalInt(value: Int | null): number | null {
  return value === null ? null : Number(value);
}

const NUL = String.fromCharCode(0);

/**
 * The `errors` and `error_count` columns of a delivery or settlement with these errors. PostgreSQL's
 * jsonb cannot hold a NUL, and an error quotes what the sender wrote; the details are prose, so a
 * NUL becomes U+FFFD here, on every path that stores errors (arrival and replay alike).
 */
export function errorColumns(
  errors: readonly EventError[] | null,
  errorCount: number | undefined,
): { errors: string | null; errorCount: number | null } {
  if (errors === null) return { errors: null, errorCount: null };
  const storable = errors.map((e) => ({
    pointer: e.pointer.replaceAll(NUL, '\uFFFD'),
    message: e.message.replaceAll(NUL, '\uFFFD'),
  }));
  return {
    errors: JSON.stringify(storable),
    errorCount: Math.max(errorCount ?? errors.length, errors.length),
  };
}

/**
 * The stored errors as the read API shows them: at most maxListedContractErrors, each string
 * bounded. Rows are written that way; this holds for whatever a row holds.
 */
function listedErrors(stored: EventError[]): EventError[] {
  return stored.slice(0, maxListedContractErrors).map((e) => ({
    pointer: boundText(String(e.pointer)),
    message: boundText(String(e.message)),
  }));
}

export function toSummary(row: EventRow): EventSummary {
  const errors = row.errors === null ? null : json<EventError[]>(row.errors);
  return {
    webhookId: row.webhook_id,
    type: row.type,
    status: row.status,
    errors: errors === null ? null : listedErrors(errors),
    errorCount: errors === null ? null : Math.max(Number(row.error_count ?? 0), errors.length),
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
    type: row.type,
    status: row.status,
    receivedAt: Number(row.received_at),
    body: row.body,
  };
}
