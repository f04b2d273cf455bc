import { describe, expect, it } from 'vitest';
import { clip, codePointName, countCharacters, plainVisible, splitInvisible } from './visibleText.ts';

describe('splitInvisible', () => {
  it('marks a right-to-left override, leaving the text around it as it is', () => {
    expect(splitInvisible('payment.\u202Edeliaf')).toEqual([
      { text: 'payment.' },
      { invisible: 0x202e },
      { text: 'deliaf' },
    ]);
  });

  it('marks isolates, zero-width characters, controls and separators', () => {
    const text = '\u2066a\u200B\u0000\u2028\u0085';
    expect(splitInvisible(text)).toEqual([
      { invisible: 0x2066 },
      { text: 'a' },
      { invisible: 0x200b },
      { invisible: 0 },
      { invisible: 0x2028 },
      { invisible: 0x85 },
    ]);
  });

  it('keeps tabs and line breaks as text in multi-line mode only', () => {
    expect(splitInvisible('a\nb\t')).toEqual([
      { text: 'a' },
      { invisible: 10 },
      { text: 'b' },
      { invisible: 9 },
    ]);
    expect(splitInvisible('a\nb\t\u202E', true)).toEqual([{ text: 'a\nb\t' }, { invisible: 0x202e }]);
  });

  it('leaves ordinary text, right-to-left scripts included, in one piece', () => {
    expect(splitInvisible('שלום user')).toEqual([{ text: 'שלום user' }]);
    expect(splitInvisible('')).toEqual([{ text: '' }]);
  });
});

describe('codePointName', () => {
  it('names a code point as U+XXXX', () => {
    expect(codePointName(0x202e)).toBe('U+202E');
    expect(codePointName(0)).toBe('U+0000');
    expect(codePointName(0xe0001)).toBe('U+E0001');
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text at the limit', () => {
    expect(clip('abc', 3)).toEqual({ shown: 'abc', clipped: false });
    expect(clip('abcdef', 4)).toEqual({ shown: 'abcd', clipped: true });
  });

  it('never cuts a surrogate pair in half', () => {
    expect(clip('ab😀cd', 3)).toEqual({ shown: 'ab', clipped: true });
    expect(clip('ab😀cd', 4)).toEqual({ shown: 'ab😀', clipped: true });
  });
});

describe('countCharacters', () => {
  it('counts a surrogate pair once and a lone surrogate once', () => {
    expect(countCharacters('x'.repeat(200_005))).toBe(200_005);
    expect(countCharacters('a😀b')).toBe(3);
    expect(countCharacters('a\uD800b')).toBe(3);
  });
});

describe('plainVisible', () => {
  it('writes invisible characters as U+XXXX and clips with an ellipsis', () => {
    expect(plainVisible('error code \u202Edeliaf', 80)).toBe('error code U+202Edeliaf');
    expect(plainVisible('x'.repeat(500), 300)).toBe(`${'x'.repeat(300)}…`);
  });
});
