import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateTime } from './isDateTime.js';

const reference = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;

const pick = (...values: string[]) => fc.constantFrom(...values);
const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
// Near-valid strings: every part is sometimes right, sometimes subtly wrong.
const dateTimeLike = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      pick('1900', '2000', '2024', '202', '2x24'),
    ),
    pick('-', '/', ''),
    fc.oneof(twoDigits, pick('02', '2')),
    fc.oneof(twoDigits, pick('28', '29', '30', '31', '1')),
    pick('T', 't', ' ', '\t', '\u00a0', '\u2028', 'x', '', 'TT'),
    fc.oneof(twoDigits, pick('23', '24')),
    fc.oneof(twoDigits, pick('59', '00')),
    fc.oneof(twoDigits, pick('59', '60', '61')),
    pick('', '.', '.0', '.401', '.123456789', ',5'),
    pick(
      'Z',
      'z',
      '',
      '+00:00',
      '-00:00',
      '+01:00',
      '-01:00',
      '+0100',
      '+01',
      '+24:00',
      '+01:60',
      '+1:00',
      'Zz',
      ' Z',
      '+01:0',
      '+01:000',
    ),
  )
  .map((parts) => parts.join(''))
  .map((s) => s.replace(/^(\d{4})-/, '$1-'));

describe('isDateTime', () => {
  it('accepts the date-times the sender publishes', () => {
    expect(isDateTime('2025-01-01T00:00:00.000Z')).toBe(true);
    expect(isDateTime('2023-12-01T05:00:00.401Z')).toBe(true);
    expect(isDateTime('2025-01-01T02:00:00+02:00')).toBe(true);
  });

  it('rejects impossible dates, missing time zones and other shapes', () => {
    expect(isDateTime('2025-02-29T00:00:00Z')).toBe(false);
    expect(isDateTime('2024-02-29T00:00:00Z')).toBe(true);
    expect(isDateTime('2025-01-01T00:00:00')).toBe(false);
    expect(isDateTime('2025-01-01')).toBe(false);
    expect(isDateTime('2023-12-01 05:00')).toBe(false);
    expect(isDateTime('')).toBe(false);
  });

  it('allows a leap second only at 23:59:60 UTC', () => {
    expect(isDateTime('2016-12-31T23:59:60Z')).toBe(true);
    expect(isDateTime('2016-12-31T22:59:60-01:00')).toBe(true);
    expect(isDateTime('2016-12-31T12:59:60Z')).toBe(false);
  });

  it('agrees with ajv-formats on generated near-valid date-times', () => {
    fc.assert(
      fc.property(dateTimeLike, (s) => {
        expect(isDateTime(s), JSON.stringify(s)).toBe(reference(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with ajv-formats on a valid date-time with one character changed', () => {
    const base = '2024-02-29T23:59:59.999+01:30';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length }),
        fc.constantFrom(...'0123456789-:.+TtZz \t x'.split(''), ''),
        (at, ch) => {
          const s = base.slice(0, at) + ch + base.slice(at + 1);
          expect(isDateTime(s), JSON.stringify(s)).toBe(reference(s));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('agrees with ajv-formats on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(isDateTime(s)).toBe(reference(s));
      }),
    );
  });
});
