// The opaque `next_cursor` of GET /events: the row sequence number of the last event on a page,
// wrapped so clients pass it back unchanged instead of building their own. Both stores use it.
import { StoreError } from '../errors.js';

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
 * Turns rows fetched with `LIMIT limit + 1` into a page: the first `limit` rows, and a cursor after
 * the last of them only when the extra row shows that more exist.
 */
export function toEventPage<Row extends { seq: number | string }, Event>(
  rows: readonly Row[],
  limit: number,
  toEvent: (row: Row) => Event,
): { events: Event[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map(toEvent),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
  };
}
