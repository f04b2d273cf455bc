import { describe, expect, it } from 'vitest';
import {
  decodeProgressCursor,
  encodeProgressCursor,
  groupProgress,
  toProgressPage,
} from './progressCursor.js';

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('progressCursor', () => {
  it('decodes the (user, course) pair of a cursor it encoded, whatever characters the ids hold', () => {
    const pair = { userId: 'u"1,é', courseId: 'c:2]' };
    expect(decodeProgressCursor(encodeProgressCursor(pair))).toEqual(pair);
    expect(encodeProgressCursor({ userId: 'u', courseId: 'c' })).toBe(cursorOf('p:["u","c"]'));
  });

  it.each([
    ['no prefix', '["u","c"]'],
    ['an event cursor', 's:42'],
    ['text before it', 'xp:["u","c"]'],
    ['another two-character prefix', 'q:["u","c"]'],
    ['broken JSON', 'p:["u","c"'],
    ['not an array', 'p:{"0":"u","1":"c"}'],
    ['one id', 'p:["u"]'],
    ['three ids', 'p:["u","c","x"]'],
    ['a number for an id', 'p:["u",2]'],
    ['an array for an id', 'p:["u",["c"]]'],
    ['a NUL in the user id', 'p:["u\\u0000","c"]'],
    ['a NUL in the course id', 'p:["u","c\\u0000"]'],
  ])('rejects a cursor with %s as invalid_cursor', (_, text) => {
    expect(() => decodeProgressCursor(cursorOf(text))).toThrow(
      expect.objectContaining({
        code: 'invalid_cursor',
        message: 'cursor is not one this API issued: pass next_cursor from the previous page unchanged',
      }),
    );
  });

  it('folds completions ordered by user and course into one progress entry per pair', () => {
    const rows = [
      { user_id: 'u1', course_id: 'c1', lesson_id: 'l1', completed_at: 300 },
      { user_id: 'u1', course_id: 'c1', lesson_id: 'l2', completed_at: '100' },
      { user_id: 'u1', course_id: 'c2', lesson_id: 'l1', completed_at: 50 },
      { user_id: 'u2', course_id: 'c2', lesson_id: 'l9', completed_at: 70 },
    ];
    expect(groupProgress(rows)).toEqual([
      { userId: 'u1', courseId: 'c1', completedLessons: 2, lessonIds: ['l1', 'l2'], lastCompletedAt: 300 },
      { userId: 'u1', courseId: 'c2', completedLessons: 1, lessonIds: ['l1'], lastCompletedAt: 50 },
      { userId: 'u2', courseId: 'c2', completedLessons: 1, lessonIds: ['l9'], lastCompletedAt: 70 },
    ]);
    expect(groupProgress([])).toEqual([]);
  });

  it('pages groups fetched for limit + 1 pairs: a cursor after the last pair shown only when one more exists', () => {
    const groups = groupProgress([
      { user_id: 'u1', course_id: 'c1', lesson_id: 'l1', completed_at: 1 },
      { user_id: 'u1', course_id: 'c2', lesson_id: 'l1', completed_at: 2 },
    ]);
    expect(toProgressPage(groups, 1)).toEqual({
      progress: [groups[0]],
      nextCursor: encodeProgressCursor({ userId: 'u1', courseId: 'c1' }),
    });
    expect(toProgressPage(groups, 2)).toEqual({ progress: groups, nextCursor: null });
    expect(toProgressPage([], 2)).toEqual({ progress: [], nextCursor: null });
    expect(toProgressPage(groups, 0)).toEqual({ progress: [], nextCursor: null });
  });
});
