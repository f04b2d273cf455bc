import { describe, expect, it } from 'vitest';
import type { MembershipState } from './MembershipReader.js';
import { decodeMembershipCursor, encodeMembershipCursor, toMembershipPage } from './membershipCursor.js';

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('membershipCursor', () => {
  it('decodes the membership id of a cursor it encoded, whatever characters the id holds', () => {
    expect(decodeMembershipCursor(encodeMembershipCursor('mem_"é,]'))).toBe('mem_"é,]');
    expect(encodeMembershipCursor('mem_1')).toBe(cursorOf('m:"mem_1"'));
  });

  it.each([
    ['no prefix', '"mem_1"'],
    ['a progress cursor', 'p:["u","c"]'],
    ['another two-character prefix', 'q:"mem_1"'],
    ['broken JSON', 'm:"mem_1'],
    ['an array for the id', 'm:["mem_1"]'],
    ['a number for the id', 'm:7'],
    ['a NUL in the id', 'm:"mem\\u0000"'],
  ])('rejects a cursor with %s as invalid_cursor', (_, text) => {
    expect(() => decodeMembershipCursor(cursorOf(text))).toThrow(
      expect.objectContaining({
        code: 'invalid_cursor',
        message: 'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
      }),
    );
  });

  it('gives a cursor after the last row of a page when more rows were fetched, none otherwise', () => {
    const row = (membershipId: string) => ({ membershipId }) as MembershipState;
    const rows = [row('mem_a'), row('mem_b'), row('mem_c')];
    expect(toMembershipPage(rows, 2)).toEqual({
      memberships: rows.slice(0, 2),
      nextCursor: encodeMembershipCursor('mem_b'),
    });
    expect(toMembershipPage(rows, 3)).toEqual({ memberships: rows, nextCursor: null });
    expect(toMembershipPage([], 2)).toEqual({ memberships: [], nextCursor: null });
    expect(toMembershipPage(rows, 0)).toEqual({ memberships: [], nextCursor: null });
  });
});
