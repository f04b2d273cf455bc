import { bearerTokenPattern } from '@webhook-contracts/http-kit';
import { describe, expect, it } from 'vitest';
import { generateToken } from './generateToken.js';

describe('generateToken', () => {
  it('makes a different 43-character base64url token each time, one the bearer check accepts', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bearerTokenPattern.test(a)).toBe(true);
    expect(generateToken()).not.toBe(a);
  });
});
