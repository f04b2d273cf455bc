import { decodePublicKey, generateKeyPair, sign, Webhook } from '@webhook-contracts/webhooks';
import { describe, expect, it } from 'vitest';
import { SECRET } from '../test-support/recorder.js';
import { type CaseContext, checkCaseNames, checkCases, v1aCheckCaseNames } from './checkCases.js';

const pair = generateKeyPair();

function context(secrets: string[] = [SECRET]): CaseContext {
  let next = 0;
  const fresh = () => {
    next++;
    return { id: `msg_case${next}`, body: JSON.stringify({ id: `msg_case${next}`, completed: true }) };
  };
  return { secrets, now: 1_700_000_000, fresh, first: fresh() };
}

describe('the conformance cases', () => {
  it('each say in their name what a correct receiver does', () => {
    expect(checkCases).toHaveLength(20);
    for (const { name, expected } of checkCases)
      expect(name.endsWith(expected === 'accept' ? 'accepted' : 'rejected'), name).toBe(true);
    expect(new Set([...checkCaseNames, ...v1aCheckCaseNames]).size).toBe(checkCases.length);
    expect(v1aCheckCaseNames).toHaveLength(4);
  });

  it('send the first event signed as it is, then again with the same webhook-id as a retry', () => {
    const ctx = context();
    const [valid, retry] = checkCases.slice(0, 2).map((c) => c.build(ctx));
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
    const ids = checkCases
      .slice(2)
      .filter((c) => c.v1a !== true)
      .flatMap((c) => c.build(ctx).headers['webhook-id'] ?? []);
    // Fourteen cases, one of which leaves the webhook-id header out.
    expect(ids).toHaveLength(13);
    expect(new Set(ids).size).toBe(13);
    expect(ids).not.toContain('msg_case1');
  });
});

describe('the v1a cases (the secrets hold a whsk_ key)', () => {
  const receiver = new Webhook(pair.publicKey, { now: () => 1_700_000_000_000 });
  const v1aCases = checkCases.filter((c) => c.v1a === true);

  it('build deliveries a receiver trusting the whpk_ key judges as each case expects', () => {
    const ctx = context([pair.signingKey]);
    for (const c of v1aCases) {
      const { headers, body } = c.build(ctx);
      let accepted = true;
      try {
        receiver.verify(headers, body);
      } catch {
        accepted = false;
      }
      expect(accepted ? 'accept' : 'reject', c.name).toBe(c.expected);
    }
  });

  it('forge the public-key HMAC case with the whpk_ key bytes as the secret', () => {
    const ctx = context([pair.signingKey]);
    const forged = v1aCases.find((c) => c.name.includes('HMAC keyed with the public key'))!.build(ctx);
    const raw = decodePublicKey(pair.publicKey).export({ format: 'jwk' }).x ?? '';
    const secret = `whsec_${Buffer.from(raw, 'base64url').toString('base64')}`;
    const id = forged.headers['webhook-id']!;
    expect(forged.headers['webhook-signature']).toBe(
      sign({ secret, id, timestamp: ctx.now, body: forged.body }),
    );
  });

  it('sign the shared cases with the whsk_ key too, the non-numeric timestamp case included', () => {
    const ctx = context([pair.signingKey]);
    const odd = checkCases.find((c) => c.name.startsWith('a non-numeric timestamp'))!.build(ctx);
    expect(odd.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const valid = checkCases[0]!.build(ctx);
    expect(receiver.verify(valid.headers, valid.body).id).toBe(valid.headers['webhook-id']);
  });
});
