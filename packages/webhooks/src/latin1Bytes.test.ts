import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeLatin1, writeUtf8 } from './latin1Bytes.js';

describe('writeUtf8', () => {
  it('writes the bytes Buffer.from(text, "utf8") holds, at the offset, and returns the offset after them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.nat(8), (text, offset) => {
        const target = Buffer.alloc(offset + 3 * text.length + 1, 0xaa);
        const end = writeUtf8(target, offset, text);
        const expected = Buffer.from(text, 'utf8');
        expect(end).toBe(offset + expected.length);
        expect(target.subarray(offset, end)).toEqual(expected);
        expect([...target.subarray(0, offset)].every((byte) => byte === 0xaa)).toBe(true);
      }),
    );
  });
});

describe('writeLatin1', () => {
  it('writes one byte per character, as Buffer.from(text, "latin1")', () => {
    const target = Buffer.alloc(8);
    expect(writeLatin1(target, 2, 'aé=\u00ff')).toBe(6);
    expect(target).toEqual(Buffer.from([0, 0, 0x61, 0xe9, 0x3d, 0xff, 0, 0]));
  });
});
