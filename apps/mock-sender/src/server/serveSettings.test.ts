import { describe, expect, it } from 'vitest';
import { SECRET } from '../test-support/recorder.js';
import { readServeSettings } from './serveSettings.js';

describe('readServeSettings', () => {
  it('generates a token when SENDER_API_TOKEN is unset and uses the defaults', () => {
    const settings = readServeSettings({});
    expect(settings.generatedToken).toBe(true);
    expect(settings.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(settings.maxRuns).toBe(4);
    expect(settings.allowedTargets).toBeUndefined();
    expect(settings.allowedHosts).toEqual([]);
  });

  it('reads every setting', () => {
    const settings = readServeSettings({
      SENDER_API_TOKEN: 'x'.repeat(16),
      SENDER_ALLOWED_HOSTS: 'sender.staging, other:8080',
      SENDER_ALLOWED_TARGETS: 'https://r.staging/webhooks,http://127.0.0.1:3000',
      SENDER_MAX_RUNS: '2',
      WEBHOOK_SECRET: SECRET,
    });
    expect(settings).toEqual({
      token: 'x'.repeat(16),
      generatedToken: false,
      allowedHosts: [
        { hostname: 'sender.staging', port: undefined },
        { hostname: 'other', port: 8080 },
      ],
      allowedTargets: [
        { origin: 'https://r.staging', path: '/webhooks' },
        { origin: 'http://127.0.0.1:3000', path: '/' },
      ],
      maxRuns: 2,
    });
  });

  it('reads SENDER_ALLOWED_SOURCES, refusing an entry that is not an http(s) prefix', () => {
    expect(
      readServeSettings({ SENDER_ALLOWED_SOURCES: 'https://prod.example/, http://10.0.0.5:3000' })
        .allowedSources,
    ).toEqual([
      { origin: 'https://prod.example', path: '/' },
      { origin: 'http://10.0.0.5:3000', path: '/' },
    ]);
    expect(readServeSettings({}).allowedSources).toBeUndefined();
    expect(() => readServeSettings({ SENDER_ALLOWED_SOURCES: 'file:///etc' })).toThrow(
      'SENDER_ALLOWED_SOURCES: "file:///etc" is not an http(s) URL',
    );
  });

  it('reports every bad setting in one message', () => {
    expect(() =>
      readServeSettings({
        SENDER_API_TOKEN: 'short',
        SENDER_ALLOWED_HOSTS: 'bad host',
        SENDER_ALLOWED_TARGETS: 'ftp://x',
        SENDER_MAX_RUNS: '0',
        WEBHOOK_SECRET: 'whsec_',
      }),
    ).toThrow(
      /SENDER_API_TOKEN must be 16-512.*SENDER_ALLOWED_HOSTS: "bad host".*SENDER_ALLOWED_TARGETS: "ftp:\/\/x" is not an http\(s\) URL.*SENDER_MAX_RUNS must be an integer from 1 to 64.*WEBHOOK_SECRET: \S/,
    );
  });
});
