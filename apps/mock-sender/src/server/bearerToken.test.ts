import { describe, expect, it } from 'vitest';
import { bearerTokenMatches, generateToken } from './bearerToken.js';

const token = 'a-long-enough-token-0123';

describe('bearerTokenMatches', () => {
  it('accepts the token with the Bearer scheme in any case', () => {
    expect(bearerTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerTokenMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerTokenMatches(`BEARER  ${token}`, token)).toBe(true);
  });

  it('refuses a missing header, another scheme, another or a partial token', () => {
    expect(bearerTokenMatches(undefined, token)).toBe(false);
    expect(bearerTokenMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerTokenMatches(token, token)).toBe(false);
    expect(bearerTokenMatches(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(bearerTokenMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerTokenMatches(`Bearer ${token} extra`, token)).toBe(false);
  });
});

describe('generateToken', () => {
  it('makes a different 43-character base64url token each time', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });
});
