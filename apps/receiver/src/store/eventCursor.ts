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
