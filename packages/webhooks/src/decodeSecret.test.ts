import { describe, expect, it } from 'vitest';
import { decodeSecret } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import { canonical, wsSecret } from './test-support/fixtures.js';

function configError(fn: () => unknown): WebhookConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookConfigError) return error;
    throw error;
  }
  throw new Error('expected a WebhookConfigError');
}

describe('decodeSecret', () => {
  it('base64-decodes a whsec_ secret', () => {
    const key = decodeSecret(canonical.secret);
    expect(key.toString('hex')).toBe('31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0');
    expect(key.length).toBe(24);
  });

  it('uses a Whop ws_ secret as its literal UTF-8 bytes, prefix included', () => {
    expect(decodeSecret(wsSecret).equals(Buffer.from(wsSecret, 'utf8'))).toBe(true);
  });

  it('uses any other string as its UTF-8 bytes', () => {
    expect([...decodeSecret('héllo')]).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
  });

  it('takes raw bytes as they are and copies them', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const key = decodeSecret(bytes);
    bytes[0] = 9;
    expect([...key]).toEqual([1, 2, 3, 250]);
  });

  it.each([
    ['an empty string', ''],
    ['only whitespace', '  \n'],
    ['empty bytes', new Uint8Array()],
    ['whsec_ with nothing after it', 'whsec_'],
  ])('rejects %s, naming the expected shapes', (_what, secret) => {
    const error = configError(() => decodeSecret(secret));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/pass the endpoint secret \(whsec_… or ws_…\)/);
  });

  it.each([
    ['a character outside base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa$w'],
    ['a length that is not a multiple of 4', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
    ['misplaced padding', 'whsec_MfKQ=r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['base64url characters', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_'],
  ])('rejects a whsec_ secret with %s', (_what, secret) => {
    const error = configError(() => decodeSecret(secret));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/not valid base64/);
  });

  it('rejects a ws_ secret whose prefix was swapped for whsec_ (it would decode to the wrong key)', () => {
    const error = configError(() => decodeSecret(`whsec_${wsSecret.slice('ws_'.length)}`));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/looks like a Whop ws_… secret/);
  });

  it('rejects btoa(ws_…), the form meant for Standard Webhooks libraries, and says to pass ws_… itself', () => {
    const error = configError(() => decodeSecret(Buffer.from(wsSecret).toString('base64')));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/looks like btoa\(ws_…\)/);
  });

  it('accepts whsec_ + btoa(ws_…), which is the same key as the ws_ secret itself', () => {
    const key = decodeSecret(`whsec_${Buffer.from(wsSecret).toString('base64')}`);
    expect(key.equals(decodeSecret(wsSecret))).toBe(true);
  });

  it('rejects a secret with a trailing newline instead of silently using a different key', () => {
    const error = configError(() => decodeSecret(`${wsSecret}\n`));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/leading or trailing whitespace/);
  });
});
