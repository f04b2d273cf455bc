// The opaque `next_cursor` of GET /memberships: the membership id that ended a page. Rows are
// ordered by id, so the next page starts right after it.
import { StoreError } from '../../errors.js';
import { pageLength } from '../../store/core/eventCursor.js';
import type { PageBudget } from '../../store/core/Store.js';
import type { MembershipState, MembershipStatePage } from './MembershipReader.js';

export function encodeMembershipCursor(afterId: string): string {
  return Buffer.from(`m:${JSON.stringify(afterId)}`).toString('base64url');
}

/**
 * Decodes a cursor this API issued.
 *
 * @throws {StoreError} `invalid_cursor` for anything else.
 */
export function decodeMembershipCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith('m:')) {
    try {
      const id: unknown = JSON.parse(text.slice(2));
      // No stored id holds a NUL (PostgreSQL refuses one), so an id with one was never issued.
      if (typeof id === 'string' && !id.includes(String.fromCharCode(0))) return id;
    } catch {
      // reported below
    }
  }
  throw new StoreError(
    'invalid_cursor',
    'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
  );
}

/** The first `limit` of `limit + 1` fetched rows (fewer when the budget ends the page), and a cursor when more exist. */
export function toMembershipPage(
  rows: MembershipState[],
  limit: number,
  budget?: PageBudget<MembershipState>,
): MembershipStatePage {
  const page = rows.slice(0, pageLength(rows, limit, budget));
  const last = page[page.length - 1];
  return {
    memberships: page,
    nextCursor:
      rows.length > page.length && last !== undefined ? encodeMembershipCursor(last.membershipId) : null,
  };
}
