import { sign } from '@webhook-contracts/webhooks';
import { describe, expect, it } from 'vitest';
import { SECRET } from '../test-support/recorder.js';
import { type CaseContext, checkCaseNames, checkCases } from './checkCases.js';

function context(): CaseContext {
  let next = 0;
  const fresh = () => {
    next++;
    return { id: `msg_case${next}`, body: JSON.stringify({ id: `msg_case${next}`, completed: true }) };
  };
  return { secrets: [SECRET], now: 1_700_000_000, fresh, first: fresh() };
}

describe('the conformance cases', () => {
  it('each say in their name what a correct receiver does', () => {
    expect(checkCases).toHaveLength(16);
    for (const { name, expected } of checkCases)
      expect(name.endsWith(expected === 'accept' ? 'accepted' : 'rejected'), name).toBe(true);
    expect(new Set(checkCaseNames).size).toBe(checkCases.length);
  });

  it('send the first event signed as it is, then again with the same webhook-id as a retry', () => {
    const ctx = context();
    const [valid, retry] = checkCases.map((c) => c.build(ctx));
    const expected = sign({ secret: SECRET, id: 'msg_case1', timestamp: ctx.now, body: ctx.first.body });
    expect(valid).toEqual({
      headers: {
        'webhook-id': 'msg_case1',
        'webhook-timestamp': '1700000000',
        'webhook-signature': expected,
      },
      body: ctx.first.body,
    });
    expect(retry).toEqual(valid);
  });

  it('give every other case an event of its own', () => {
    const ctx = context();
    const ids = checkCases.slice(2).flatMap((c) => c.build(ctx).headers['webhook-id'] ?? []);
    // Fourteen cases, one of which leaves the webhook-id header out.
    expect(ids).toHaveLength(13);
    expect(new Set(ids).size).toBe(13);
    expect(ids).not.toContain('msg_case1');
  });
});
