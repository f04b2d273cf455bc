import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageLength, toEventPage } from './eventCursor.js';

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('eventCursor', () => {
  it('decodes the sequence number of a cursor it encoded, from a number or a bigint string', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor(encodeCursor('900719925474099'))).toBe(900719925474099);
    expect(encodeCursor(7)).toBe(cursorOf('s:7'));
  });

  it.each([
    ['no prefix', '42'],
    ['another prefix', 'p:42'],
    ['text before it', 'xs:42'],
    ['text after it', 's:42x'],
    ['no digits', 's:'],
    ['not digits', 's:abc'],
    ['a negative number', 's:-1'],
    ['16 digits, beyond exact integers', 's:1234567890123456'],
  ])('rejects a cursor with %s as invalid_cursor', (_, text) => {
    expect(() => decodeCursor(cursorOf(text))).toThrow(
      expect.objectContaining({
        code: 'invalid_cursor',
        message: 'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
      }),
    );
  });

  it('pages rows fetched with limit + 1: a cursor after the last row shown only when one more exists', () => {
    const rows = [{ seq: 9 }, { seq: 7 }, { seq: '4' }];
    expect(toEventPage(rows, 2, (r) => r.seq)).toEqual({ events: [9, 7], nextCursor: encodeCursor(7) });
    expect(toEventPage(rows, 3, (r) => r.seq)).toEqual({ events: [9, 7, '4'], nextCursor: null });
    expect(toEventPage([], 3, (r: { seq: number }) => r.seq)).toEqual({ events: [], nextCursor: null });
    // A page that shows no row has no last row to continue after.
    expect(toEventPage(rows, 0, (r) => r.seq)).toEqual({ events: [], nextCursor: null });
  });
});

describe('pageLength', () => {
  const sizes = { maxBytes: 10, sizeOf: (n: number) => n };

  it('takes items while their sizes add up to at most maxBytes, and the row limit still holds', () => {
    expect(pageLength([4, 6, 1], 10, sizes)).toBe(2);
    expect(pageLength([1, 1, 1, 1], 3, sizes)).toBe(3);
    expect(pageLength([1, 1, 1], 10)).toBe(3);
  });

  it('takes a first item larger than maxBytes alone, and none of an empty list', () => {
    expect(pageLength([50, 1], 10, sizes)).toBe(1);
    expect(pageLength([], 10, sizes)).toBe(0);
  });
});
