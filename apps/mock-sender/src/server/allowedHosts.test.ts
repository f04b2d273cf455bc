import { describe, expect, it } from 'vitest';
import { hostAllowed, parseHostName } from './allowedHosts.js';

const local = { host: '127.0.0.1', port: 4000 };

describe('hostAllowed', () => {
  it('accepts the listen address and the loopback names on the listen port', () => {
    for (const host of ['127.0.0.1:4000', 'localhost:4000', 'LOCALHOST:4000', '[::1]:4000']) {
      expect(hostAllowed(host, local, [])).toBe(true);
    }
  });

  it('refuses other names, other ports, a missing Host and malformed values', () => {
    for (const host of ['evil.example:4000', 'localhost:4001', 'localhost', '127.0.0.1.evil.net:4000']) {
      expect(hostAllowed(host, local, [])).toBe(false);
    }
    expect(hostAllowed(undefined, local, [])).toBe(false);
    expect(hostAllowed('user@localhost:4000', local, [])).toBe(false);
    expect(hostAllowed('localhost:4000/x', local, [])).toBe(false);
  });

  it('accepts SENDER_ALLOWED_HOSTS names on any port, name:port entries on that port only', () => {
    const allowed = [parseHostName('sender.staging')!, parseHostName('other.staging:8080')!];
    expect(hostAllowed('sender.staging', local, allowed)).toBe(true);
    expect(hostAllowed('Sender.Staging:443', local, allowed)).toBe(true);
    expect(hostAllowed('other.staging:8080', local, allowed)).toBe(true);
    expect(hostAllowed('other.staging:4000', local, allowed)).toBe(false);
  });

  it('on a wildcard bind accepts only the loopback names by itself', () => {
    expect(hostAllowed('localhost:4000', { host: '0.0.0.0', port: 4000 }, [])).toBe(true);
    expect(hostAllowed('0.0.0.0:4000', { host: '0.0.0.0', port: 4000 }, [])).toBe(false);
    expect(hostAllowed('10.1.2.3:4000', { host: '10.1.2.3', port: 4000 }, [])).toBe(true);
    expect(hostAllowed('[::1]:4000', { host: '::', port: 4000 }, [])).toBe(true);
  });
});
