import { describe, expect, it } from 'vitest';
import { decodeSecret } from './decodeSecret.js';
import { decodeSecrets } from './decodeSecrets.js';
import { WebhookConfigError } from './errors.js';
import { captureError } from './test-support/captureError.js';
import { canonical, wsSecret } from './test-support/fixtures.js';

const bare = canonical.secret.slice('whsec_'.length);
const hex = (keys: Buffer[]) => keys.map((key) => key.toString('hex'));

describe('decodeSecrets', () => {
  it('reads one string as a comma list, whitespace around each secret dropped', () => {
    expect(hex(decodeSecrets(` ${wsSecret} ,\n${bare}\n`))).toEqual(
      hex([decodeSecret(wsSecret), decodeSecret(bare)]),
    );
  });

  it('reads every string of an array the same way, and takes bytes as one key', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(hex(decodeSecrets([`${wsSecret}\n`, `${bare},${canonical.secret}`, bytes]))).toEqual([
      decodeSecret(wsSecret).toString('hex'),
      decodeSecret(bare).toString('hex'),
      decodeSecret(bare).toString('hex'),
      '010203',
    ]);
  });

  it.each([
    ['an empty array', []],
    ['a value of only commas and spaces', ' ,, '],
    ['a list with one unusable secret', `${wsSecret},not base64!`],
  ])('refuses %s', (_what, setting) => {
    const error = captureError(() => decodeSecrets(setting));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as WebhookConfigError).code).toBe('invalid_secret');
  });
});
