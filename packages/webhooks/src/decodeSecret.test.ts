import { describe, expect, it } from 'vitest';
import { decodeSecret, SECRET_FORMS } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import { captureError } from './test-support/captureError.js';
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

  it('base64-decodes a bare Standard Webhooks secret (no prefix) to the same key as with whsec_', () => {
    const bare = canonical.secret.slice('whsec_'.length);
    expect(decodeSecret(bare).toString('hex')).toBe('31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0');
  });

  it.each([
    ['one = of padding', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', 32],
    [
      'two = of padding',
      'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==',
      64,
    ],
  ])('decodes a bare base64 secret with %s', (_what, secret, length) => {
    const key = decodeSecret(secret);
    expect(key.length).toBe(length);
    expect([...key.subarray(0, 4)]).toEqual([0, 1, 2, 3]);
  });

  it.each([
    ['a word', 'héllo'],
    ['an internal space', 'MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw'],
  ])('refuses %s, which is neither prefixed nor base64, naming the accepted forms', (_what, secret) => {
    const error = configError(() => decodeSecret(secret));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/^The webhook secret is not a form this library takes/);
    expect(error.message).toMatch(
      /pass the endpoint secret \(whsec_… or ws_…\) or the bare base64 of a Standard Webhooks secret\.$/,
    );
  });

  it.each(['my-webhook-secret', 'my-webhook-secret!', 'local.dev_secret', 'test_secret'])(
    'refuses the made-up dev password %s as not a webhook secret, naming the two forms',
    (secret) => {
      const error = configError(() => decodeSecret(secret));
      expect(error.code).toBe('invalid_secret');
      expect(error.message).toMatch(/^This is not a webhook secret: use whsec_… or ws_…, /);
      expect(error.message).not.toContain(secret);
    },
  );

  it('keeps the base64url message for a long value of that alphabet that has word-like runs', () => {
    expect(
      configError(() => decodeSecret('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd-abc_def')).message,
    ).toMatch(/base64url alphabet/);
  });

  it('refuses bare base64 without its padding and says how many = to add', () => {
    const error = configError(() => decodeSecret('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'));
    expect(error.message).toMatch(/lacks its "=" padding: add = at the end/);
    expect(
      configError(() =>
        decodeSecret(
          'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw',
        ),
      ).message,
    ).toMatch(/add == at the end/);
  });

  it('refuses bare base64url and names the alphabet', () => {
    const error = configError(() => decodeSecret('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-_'));
    expect(error.message).toMatch(/base64url alphabet/);
  });

  it('refuses base64 whose last character has bits an encoder never sets (an altered secret)', () => {
    // 'QR==' decodes like 'QQ==' in lenient decoders.
    const error = configError(() => decodeSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwQR=='));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/not canonical base64/);
  });

  it('refuses a ws_ secret with its prefix dropped (bare lowercase hex) and says to keep ws_', () => {
    const error = configError(() => decodeSecret(wsSecret.slice('ws_'.length)));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/bare lowercase hex.*Keep the ws_ prefix/);
  });

  it('still decodes bare base64 shorter than the hex rule or with any non-hex character', () => {
    expect(decodeSecret('0123456789abcdef0123456789abcdeF').length).toBe(24);
    expect(decodeSecret('0123abcd').toString('hex')).toBe('d35db769b71d');
  });

  it.each([
    ['double quotes', `"${wsSecret}"`],
    ['single quotes', `'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'`],
    ['a leading quote only', '"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ])('refuses a secret wrapped in %s', (_what, secret) => {
    const error = configError(() => decodeSecret(secret));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/wrapped in quotes.*remove the quotes/);
  });

  it('refuses a comma-separated list handed over as one secret, pointing at the list form', () => {
    const error = configError(() => decodeSecret(`${wsSecret},${canonical.secret}`));
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(/holds a comma: that is a list of secrets.*parseSecretList/);
  });

  it('refuses ws_ with nothing after it', () => {
    expect(configError(() => decodeSecret('ws_')).message).toMatch(/"ws_" has nothing after the prefix/);
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

describe('decodeSecret refusals, each with its own message', () => {
  const refusal = (secret: unknown) => {
    const error = captureError(() => decodeSecret(secret as string));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as WebhookConfigError).code).toBe('invalid_secret');
    expect((error as WebhookConfigError).name).toBe('WebhookConfigError');
    return (error as WebhookConfigError).message;
  };

  it('names a secret of the wrong type, an empty one, whitespace and quotes', () => {
    expect(refusal(42)).toBe(`The webhook secret must be a string or bytes, got number: ${SECRET_FORMS}.`);
    expect(refusal('  ')).toBe(`The webhook secret is empty: ${SECRET_FORMS}.`);
    expect(refusal(' whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(
      'The webhook secret has leading or trailing whitespace (a stray newline from an env file?): remove it and ' +
        `${SECRET_FORMS}.`,
    );
    expect(refusal('"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"')).toBe(
      'The webhook secret is wrapped in quotes (an env file or shell that kept them?): remove the quotes and ' +
        `${SECRET_FORMS}.`,
    );
  });

  it('refuses btoa(ws_…) and says to pass the ws_ secret itself; a d3Nf start that is not base64 is just not base64', () => {
    expect(refusal(Buffer.from('ws_abc123').toString('base64'))).toBe(
      'The webhook secret looks like btoa(ws_…), the form Standard Webhooks libraries need: this library takes ' +
        'the ws_… secret itself, so pass it unchanged.',
    );
    expect(refusal('d3Nf!!!!')).toMatch(/^The webhook secret is not a form this library takes/);
  });

  it('refuses hex after whsec_ and bare hex, each with its own explanation', () => {
    expect(refusal('whsec_0123456789abcdef0123')).toBe(
      'The webhook secret is whsec_ followed by hex: that looks like a Whop ws_… secret with its prefix replaced, ' +
        'which would decode to the wrong key. Pass the ws_… secret unchanged.',
    );
    expect(refusal('0123456789abcdef0123')).toBe(
      'The webhook secret is bare lowercase hex: that looks like a Whop ws_… secret with its ws_ prefix dropped, ' +
        'which would decode as base64 to the wrong key. Keep the ws_ prefix: pass the ws_… secret unchanged.',
    );
  });

  it('refuses non-canonical base64, naming the part after whsec_ when there is one', () => {
    const tail =
      ' is not canonical base64 (its last character before the padding is not one an encoder writes): ' +
      'the secret was altered; copy it again from the dashboard.';
    expect(refusal('whsec_QR==')).toBe(`The webhook secret after whsec_${tail}`);
    expect(refusal('QR==')).toBe(`The webhook secret${tail}`);
  });

  it('hints at missing padding or the base64url alphabet only when that is the problem', () => {
    const bare =
      'The webhook secret is not a form this library takes: it has no whsec_ or ws_ prefix, so it must be ' +
      'Standard Webhooks base64 (A–Z, a–z, 0–9, +, /, padded with =), and it is not.';
    const end = ` Copy it again from the dashboard, or ${SECRET_FORMS}.`;
    expect(refusal('QUJDRA')).toBe(
      `${bare} It lacks its "=" padding: add == at the end (Standard Webhooks secrets are padded base64).${end}`,
    );
    expect(refusal('QUJDREU')).toBe(
      `${bare} It lacks its "=" padding: add = at the end (Standard Webhooks secrets are padded base64).${end}`,
    );
    expect(refusal('ab-_cde')).toBe(
      `${bare} It uses the base64url alphabet (- and _): Standard Webhooks secrets use + and /.${end}`,
    );
    expect(refusal('abcde')).toBe(`${bare}${end}`);
    expect(refusal('whsec_abc$')).toBe(
      'The webhook secret starts with whsec_ but the rest is not valid base64 (A–Z, a–z, 0–9, +, /, padded with =).' +
        end,
    );
  });
});
