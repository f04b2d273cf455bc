import { describe, expect, it } from 'vitest';
import { parseTargetPrefix, type TargetPrefix, targetAllowed } from './targetAllowList.js';

const prefixes = (...entries: string[]) => entries.map((e) => parseTargetPrefix(e) as TargetPrefix);

describe('targetAllowed', () => {
  it('matches on the parsed origin, not the string', () => {
    const list = prefixes('http://a.com');
    expect(targetAllowed(new URL('http://a.com/webhooks'), list)).toBe(true);
    expect(targetAllowed(new URL('http://a.com.evil.net/webhooks'), list)).toBe(false);
    expect(targetAllowed(new URL('http://a.com@evil.net/'), list)).toBe(false);
    expect(targetAllowed(new URL('https://a.com/'), list)).toBe(false);
    expect(targetAllowed(new URL('http://a.com:8080/'), list)).toBe(false);
    expect(targetAllowed(new URL('http://A.COM:80/x'), list)).toBe(true);
  });

  it('matches a path prefix at a segment boundary, after dot segments are resolved', () => {
    const list = prefixes('http://a.com/hooks');
    expect(targetAllowed(new URL('http://a.com/hooks'), list)).toBe(true);
    expect(targetAllowed(new URL('http://a.com/hooks/whop?x=1'), list)).toBe(true);
    expect(targetAllowed(new URL('http://a.com/hooks-admin'), list)).toBe(false);
    expect(targetAllowed(new URL('http://a.com/hooks/../admin'), list)).toBe(false);
    expect(targetAllowed(new URL('http://a.com/hooks/%2e%2e/admin'), list)).toBe(false);
  });
});

describe('parseTargetPrefix', () => {
  it('refuses what is not a plain http(s) URL prefix', () => {
    expect(parseTargetPrefix('a.com')).toMatch(/is not a URL/);
    expect(parseTargetPrefix('ftp://a.com')).toMatch(/not an http\(s\) URL/);
    expect(parseTargetPrefix('http://u:p@a.com/')).toMatch(/no credentials/);
    expect(parseTargetPrefix('http://a.com/?q')).toMatch(/no credentials, query or fragment/);
  });
});
