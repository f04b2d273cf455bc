import { describe, expect, it } from 'vitest';
import { SECRET } from '../test-support/recorder.js';
import { RunPolicy } from './RunPolicy.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

const prefix = (url: string) => parseTargetPrefix(url) as TargetPrefix;
const env = { WEBHOOK_SECRET: SECRET, RECEIVER_API_TOKEN: 'the-receiver-token' };

describe('RunPolicy', () => {
  it('allows any target without SENDER_ALLOWED_TARGETS, and only the listed ones with it', () => {
    expect(() => new RunPolicy({ env }).checkTarget('http://anywhere.example/webhooks')).not.toThrow();
    const policy = new RunPolicy({ env, allowedTargets: [prefix('http://staging.example/hooks')] });
    expect(() => policy.checkTarget('http://staging.example/hooks/a')).not.toThrow();
    expect(() => policy.checkTarget('http://prod.example/hooks')).toThrow(
      expect.objectContaining({
        status: 403,
        code: 'target_not_allowed',
        message: 'http://prod.example/hooks is not under SENDER_ALLOWED_TARGETS: ask the operator to add it',
      }),
    );
    // An unusable URL is left to the run's own option checks.
    expect(() => policy.checkTarget('not a url')).not.toThrow();
  });

  it('trusts a source under SENDER_ALLOWED_SOURCES with the service token, a target with none, and refuses others', () => {
    const policy = new RunPolicy({
      env,
      allowedSources: [prefix('http://prod.example')],
      allowedTargets: [prefix('http://staging.example')],
    });
    expect(policy.checkSource('http://prod.example/events')).toBe('trusted');
    expect(policy.checkSource('http://staging.example/events')).toBe('target');
    expect(policy.serviceTokenFor('trusted')).toBe('the-receiver-token');
    expect(policy.serviceTokenFor('target')).toBeUndefined();
    expect(() => policy.checkSource('http://other.example/')).toThrow(
      expect.objectContaining({ status: 403, code: 'source_not_allowed' }),
    );
  });

  it("uses the request's secret, and the service's own only when SENDER_ALLOWED_TARGETS is set", () => {
    const open = new RunPolicy({ env });
    expect(open.secretsFor([SECRET])).toEqual([SECRET]);
    expect(() => open.secretsFor(undefined)).toThrow(
      expect.objectContaining({ status: 403, code: 'target_not_allowed' }),
    );
    expect(new RunPolicy({ env, allowedTargets: [] }).secretsFor(undefined)).toEqual([SECRET]);
    const listed = new RunPolicy({ env, allowedTargets: [prefix('http://staging.example')] });
    expect(listed.secretsForTarget('http://staging.example/hooks', undefined)).toEqual([SECRET]);
    expect(() => listed.secretsForTarget('http://prod.example/hooks', [SECRET])).toThrow(
      expect.objectContaining({ code: 'target_not_allowed' }),
    );
  });
});
