import { generateKeyPair } from '@webhook-contracts/webhooks';
import { describe, expect, it } from 'vitest';
import { SECRET } from '../test-support/recorder.js';
import { readServeSettings, serveSettings, serveSettingsHelp } from './serveSettings.js';

describe('readServeSettings', () => {
  it('generates a token when SENDER_API_TOKEN is unset and uses the defaults', () => {
    const settings = readServeSettings({});
    expect(settings.generatedToken).toBe(true);
    expect(settings.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(settings.maxRuns).toBe(4);
    expect(settings.maxRunSeconds).toBe(3600);
    expect(settings.allowedTargets).toBeUndefined();
    expect(settings.allowedHosts).toEqual([]);
  });

  it('reads every setting', () => {
    const settings = readServeSettings({
      SENDER_API_TOKEN: 'x'.repeat(16),
      SENDER_ALLOWED_HOSTS: 'sender.staging, other:8080',
      SENDER_ALLOWED_TARGETS: 'https://r.staging/webhooks,http://127.0.0.1:3000',
      SENDER_MAX_RUNS: '2',
      SENDER_MAX_RUN_SECONDS: '90',
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
      allowedSources: undefined,
      maxRuns: 2,
      maxRunSeconds: 90,
    });
  });

  it('takes a flag over its environment variable, and names the flag when it is wrong', () => {
    const env = {
      SENDER_MAX_RUN_SECONDS: '90',
      SENDER_MAX_RUNS: '2',
      SENDER_ALLOWED_TARGETS: 'http://env.test',
    };
    const settings = readServeSettings(env, {
      maxRunSeconds: '5',
      maxRuns: '3',
      allowedTargets: 'http://flag.test/hooks',
    });
    expect(settings.maxRunSeconds).toBe(5);
    expect(settings.maxRuns).toBe(3);
    expect(settings.allowedTargets).toEqual([{ origin: 'http://flag.test', path: '/hooks' }]);
    expect(() => readServeSettings(env, { maxRunSeconds: '86401' })).toThrow(
      '--max-run-seconds must be an integer from 1 to 86400, got "86401"',
    );
  });

  it('bounds SENDER_MAX_RUN_SECONDS from 1 to a day', () => {
    expect(readServeSettings({ SENDER_MAX_RUN_SECONDS: '86400' }).maxRunSeconds).toBe(86_400);
    expect(readServeSettings({ SENDER_MAX_RUN_SECONDS: ' 1 ' }).maxRunSeconds).toBe(1);
    for (const bad of ['0', '86401', '1.5', '-3', 'an hour', '1e3']) {
      expect(() => readServeSettings({ SENDER_MAX_RUN_SECONDS: bad })).toThrow(
        `SENDER_MAX_RUN_SECONDS must be an integer from 1 to 86400, got "${bad}"`,
      );
    }
  });

  it('keeps a target list that names nothing as "nothing allowed", not "any target"', () => {
    expect(readServeSettings({ SENDER_ALLOWED_TARGETS: ' , ' }).allowedTargets).toEqual([]);
  });

  it('gives the secrets no flag and lists every setting in the help', () => {
    const help = serveSettingsHelp();
    for (const setting of Object.values(serveSettings)) expect(help).toContain(setting.env);
    expect(help).toMatch(/SENDER_MAX_RUN_SECONDS +longest a run may take/);
    expect(help).toMatch(/--max-run-seconds; 1–86400;\s+default: 3600/);
    for (const secret of [serveSettings.token, serveSettings.webhookSecret, serveSettings.receiverToken])
      expect('flag' in secret).toBe(false);
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

  it('takes a whsk_ signing key and refuses a whpk_ public key, which cannot sign', () => {
    const { signingKey, publicKey } = generateKeyPair();
    expect(() => readServeSettings({ WEBHOOK_SECRET: `${SECRET},${signingKey}` })).not.toThrow();
    expect(() => readServeSettings({ WEBHOOK_SECRET: publicKey })).toThrow(
      /WEBHOOK_SECRET: The key is a whpk_ public key: it verifies v1a signatures but cannot make them/,
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
