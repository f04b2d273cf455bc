import { describe, expect, it } from 'vitest';
import { targetUrl } from './targetUrl.js';

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
});
