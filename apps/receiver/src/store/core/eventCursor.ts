// The opaque `next_cursor` of GET /events: the row sequence number of the last event on a page,
// wrapped so clients pass it back unchanged instead of building their own. Both stores use it.
import { StoreError } from '../../errors.js';
import type { PageBudget } from './Store.js';

/** Encodes a page's last row sequence number (a bigint column may arrive as a string). */
export function encodeCursor(seq: number | string): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

/**
 * Decodes a cursor this API issued back to its sequence number.
 *
 * @throws {StoreError} `invalid_cursor` for anything else.
 */
export function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) {
    throw new StoreError(
      'invalid_cursor',
      'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
    );
  }
  return Number(match[1]);
}

/**
 * How many of `items` (at most `limit`) a page takes: all of them up to `limit`, or, with a
 * budget, those before the one that would take the page past `budget.maxBytes`, never fewer than
 * one (a page of a single item larger than the budget still moves the reader on).
 */
export function pageLength<T>(items: readonly T[], limit: number, budget?: PageBudget<T>): number {
  const most = Math.min(items.length, limit);
  if (budget === undefined) return most;
  let bytes = 0;
  for (let i = 0; i < most; i++) {
    bytes += budget.sizeOf(items[i]!);
    if (bytes > budget.maxBytes && i > 0) return i;
  }
  return most;
}

/**
 * Turns rows fetched with `LIMIT limit + 1` into a page: the first `limit` rows (fewer when the
 * budget ends the page), and a cursor after the last of them when more rows exist.
 */
export function toEventPage<Row extends { seq: number | string }, Event>(
  rows: readonly Row[],
  limit: number,
  toEvent: (row: Row) => Event,
  budget?: PageBudget<Event>,
): { events: Event[]; nextCursor: string | null } {
  const events = rows.slice(0, limit).map(toEvent);
  const length = pageLength(events, limit, budget);
  const last = rows[length - 1];
  return {
    events: events.slice(0, length),
    nextCursor: rows.length > length && last !== undefined ? encodeCursor(last.seq) : null,
  };
}
