import { describe, expect, it } from 'vitest';
import {
  decodeParameter,
  maxQueryParameters,
  parameterMaxLength,
  readPathParameter,
  readQuery,
} from './readApiParameters.js';

/** The HttpError a call throws, as the parts a client sees. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    const { status, code, message, details } = error as {
      status: number;
      code: string;
      message: string;
      details?: unknown[];
    };
    return { status, code, message, details };
  }
  throw new Error('expected a refusal');
}

describe('decodeParameter', () => {
  it('percent-decodes UTF-8, reading + as a space in a query and as itself in a path', () => {
    expect(decodeParameter('caf%C3%A9+au%20lait%2B', 'type', true)).toBe('café au lait+');
    expect(decodeParameter('caf%c3%a9+au%20lait', 'type', false)).toBe('café+au lait');
    expect(decodeParameter('%F0%9F%98%80', 'type', true)).toBe('😀');
    expect(decodeParameter('plain.value_1', 'type', true)).toBe('plain.value_1');
  });

  it.each([
    ['a % at the end', 'abc%'],
    ['a % with one digit', 'abc%4'],
    ['a % with no hex digit', '%ZZ'],
    ['a % with a sign', '%+1'],
  ])('refuses %s as malformed_percent_encoding', (_, raw) => {
    expect(refusal(() => decodeParameter(raw, 'type', true))).toEqual({
      status: 400,
      code: 'invalid_query',
      message: 'type has a "%" not followed by two hex digits: percent-encode the value (encodeURIComponent)',
      details: [{ parameter: 'type', problem: 'malformed_percent_encoding' }],
    });
  });

  it.each([
    ['a lone byte above 0x7F', '%FF'],
    ['a continuation byte alone', 'a%80b'],
    ['a truncated sequence', '%C3'],
    ['an overlong form of "/"', '%C0%AF'],
    ['a UTF-8-encoded lone surrogate', '%ED%A0%80'],
    ['a code point above U+10FFFF', '%F4%90%80%80'],
  ])('refuses %s as invalid_utf8', (_, raw) => {
    expect(refusal(() => decodeParameter(raw, 'user_id', true))).toEqual({
      status: 400,
      code: 'invalid_query',
      message: 'user_id is not UTF-8 once percent-decoded: send the value as UTF-8, percent-encoded',
      details: [{ parameter: 'user_id', problem: 'invalid_utf8' }],
    });
  });

  it('refuses a NUL, encoded or not, as nul_character', () => {
    for (const raw of ['a%00b', '%00', `a${String.fromCharCode(0)}b`]) {
      expect(
        refusal(() => decodeParameter(raw, 'cursor', true)),
        raw,
      ).toEqual({
        status: 400,
        code: 'invalid_query',
        message: 'cursor contains a NUL character (%00), which no stored value can hold: remove it',
        details: [{ parameter: 'cursor', problem: 'nul_character' }],
      });
    }
  });
});

describe('readQuery', () => {
  it('returns the values of the parameters a route reads, decoded, and ignores the others', () => {
    expect(
      readQuery('/events?type=payment.succeeded&limit=10&extra=x&cursor=czo0Mg&=y&&', {
        type: 'one',
        limit: 'one',
        cursor: 'one',
        status: 'one',
      }),
    ).toStrictEqual({ type: 'payment.succeeded', limit: '10', cursor: 'czo0Mg' });
    expect(readQuery('/events', { type: 'one' })).toStrictEqual({});
    expect(readQuery('/progress?user_id&course_id=', { user_id: 'one', course_id: 'one' })).toStrictEqual({
      user_id: '',
      course_id: '',
    });
  });

  it('refuses a parameter given twice, even once empty, as repeated', () => {
    for (const url of ['/events?type=a&type=b', '/events?type=&type=a', '/events?ty%70e=a&type=a']) {
      expect(
        refusal(() => readQuery(url, { type: 'one' })),
        url,
      ).toEqual({
        status: 400,
        code: 'invalid_query',
        message: 'Give type once, as a plain value',
        details: [{ parameter: 'type', problem: 'repeated' }],
      });
    }
  });

  it('refuses a malformed parameter the route does not read too, quoting at most 64 characters of its name', () => {
    expect(refusal(() => readQuery('/events?other=%00', { type: 'one' })).details).toEqual([
      { parameter: 'other', problem: 'nul_character' },
    ]);
    const name = 'n'.repeat(100);
    expect(refusal(() => readQuery(`/events?${name}=%FF`, { type: 'one' }))).toMatchObject({
      details: [{ parameter: 'n'.repeat(64), problem: 'invalid_utf8' }],
    });
    expect(refusal(() => readQuery('/events?ty%FFpe=a', { type: 'one' })).details).toEqual([
      { parameter: '(a parameter name)', problem: 'invalid_utf8' },
    ]);
  });

  it('bounds each free-text parameter: a value at the bound passes, one character more is too_long', () => {
    for (const [name, max] of Object.entries(parameterMaxLength)) {
      if (name === 'webhook_id') continue;
      const shapes = { [name]: 'one' } as Record<'type', 'one'>;
      expect(readQuery(`/r?${name}=${'a'.repeat(max)}`, shapes)).toStrictEqual({ [name]: 'a'.repeat(max) });
      expect(refusal(() => readQuery(`/r?${name}=${'a'.repeat(max + 1)}`, shapes))).toEqual({
        status: 400,
        code: 'invalid_query',
        message: `${name} is ${max + 1} characters long: at most ${max}`,
        details: [{ parameter: name, problem: 'too_long' }],
      });
    }
  });

  it('counts a multi-byte character once against the bound, as decoded', () => {
    const value = encodeURIComponent('é'.repeat(256));
    expect(readQuery(`/events?type=${value}`, { type: 'one' }).type).toHaveLength(256);
  });

  it('bounds each value of a comma list, and the whole list', () => {
    const ok = `${'a'.repeat(256)},${'b'.repeat(256)}`;
    expect(readQuery(`/events/export?type=${ok}`, { type: 'list' })).toStrictEqual({ type: ok });
    expect(refusal(() => readQuery(`/events/export?type=a,${'b'.repeat(257)}`, { type: 'list' }))).toEqual({
      status: 400,
      code: 'invalid_query',
      message: 'type lists a value of 257 characters: each at most 256',
      details: [{ parameter: 'type', problem: 'too_long' }],
    });
    const long = ','.repeat(100 * 257 + 1);
    expect(refusal(() => readQuery(`/events/export?type=${long}`, { type: 'list' })).message).toBe(
      `type is ${100 * 257 + 1} characters long: at most ${100 * 257}`,
    );
  });

  it('leaves status, limit, since and until to their own syntax checks, whatever their length', () => {
    const long = 'x'.repeat(5000);
    expect(
      readQuery(`/events/export?status=${long}&since=${long}&until=${long}`, {
        status: 'list',
        since: 'one',
        until: 'one',
      }),
    ).toStrictEqual({ status: long, since: long, until: long });
  });

  it(`takes at most ${maxQueryParameters} parameters`, () => {
    const at = Array.from({ length: maxQueryParameters }, (_, i) => `p${i}=1`).join('&');
    expect(readQuery(`/events?${at}`, { type: 'one' })).toStrictEqual({});
    expect(refusal(() => readQuery(`/events?${at}&one=more`, { type: 'one' }))).toEqual({
      status: 400,
      code: 'invalid_query',
      message: `The query has ${maxQueryParameters + 1} parameters: at most ${maxQueryParameters}`,
      details: [{ parameter: '(query)', problem: 'too_many_parameters' }],
    });
  });
});

describe('readPathParameter', () => {
  it('decodes a path segment, keeping + as itself', () => {
    expect(readPathParameter('msg_%41+b%2Fc', 'webhook_id')).toBe('msg_A+b/c');
  });

  it('refuses a bad escape, invalid UTF-8, a NUL and an id over 256 characters, naming webhook_id', () => {
    const cases: [string, string][] = [
      ['%ZZ', 'malformed_percent_encoding'],
      ['%FF', 'invalid_utf8'],
      ['%ED%A0%80', 'invalid_utf8'],
      ['a%00b', 'nul_character'],
      ['m'.repeat(257), 'too_long'],
    ];
    for (const [raw, problem] of cases) {
      expect(
        refusal(() => readPathParameter(raw, 'webhook_id')),
        raw,
      ).toMatchObject({
        status: 400,
        code: 'invalid_query',
        details: [{ parameter: 'webhook_id', problem }],
      });
    }
    expect(readPathParameter('m'.repeat(256), 'webhook_id')).toHaveLength(256);
  });
});
