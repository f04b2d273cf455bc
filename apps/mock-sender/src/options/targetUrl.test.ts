import { describe, expect, it } from 'vitest';
import { SenderConfigError } from '../errors.js';
import { hasCredentials, targetUrl } from './targetUrl.js';

describe('targetUrl', () => {
  it('takes an absolute http(s) URL', () => {
    expect(targetUrl('http://localhost:3100/webhooks').href).toBe('http://localhost:3100/webhooks');
    expect(targetUrl(new URL('https://example.test/hooks')).pathname).toBe('/hooks');
  });

  it('suggests the http:// form for a host without a scheme', () => {
    expect(() => targetUrl('localhost:3100/webhooks')).toThrow(
      '--to "localhost:3100/webhooks" has no scheme: did you mean http://localhost:3100/webhooks?',
    );
  });

  it('refuses other schemes and non-URLs, naming the option', () => {
    expect(() => targetUrl('ftp://x/y')).toThrow('--to must be an http(s) URL, got ftp:');
    expect(() => targetUrl('http://', 'target')).toThrow('target "http://" is not a URL');
  });

  it('refuses a URL with credentials without repeating them, however the URL is written', () => {
    for (const to of [
      'http://user:hunter2@localhost:3100/webhooks',
      'https://hunter2@example.test/hooks',
      'user:hunter2@localhost:3100/webhooks',
      'http://user:hunter2@[bad',
      new URL('http://user:hunter2@localhost/x'),
    ]) {
      let error: unknown;
      try {
        targetUrl(to);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SenderConfigError);
      expect((error as SenderConfigError).message).toMatch(
        /^--to must not carry credentials \(user:password@ in the URL\): remove them;/,
      );
      expect((error as SenderConfigError).message).not.toContain('hunter2');
    }
  });

  it("tells a replay source's credentials to go in the token option", () => {
    expect(() => targetUrl('http://u:p@prod.test', '--from')).toThrow(
      /pass the source's API token as --token/,
    );
    expect(() => targetUrl('http://u:p@prod.test', 'from')).toThrow(/pass the source's API token as `token`/);
  });

  it('finds credentials only in the authority, not in a path or query', () => {
    expect(hasCredentials('http://a@b.test/')).toBe(true);
    expect(hasCredentials('http://b.test/a@b')).toBe(false);
    expect(hasCredentials('http://b.test?by=a@b')).toBe(false);
    expect(hasCredentials('http://b.test\\a@b')).toBe(false);
    expect(hasCredentials('localhost:3100/webhooks')).toBe(false);
  });

  it('cuts a long value it repeats in a message', () => {
    expect(() => targetUrl(`localhost/${'x'.repeat(5000)}`)).toThrow(
      /^--to "localhost\/x{190}…" has no scheme/,
    );
  });
});
