import { describe, expect, it } from 'vitest';
import { generateKeyPair } from './asymmetricKeys.js';
import { WebhookConfigError, WebhookVerificationError } from './errors.js';
import { precheckWebhookHeaders } from './precheckWebhookHeaders.js';
import { sign } from './sign.js';
import { signedDelivery } from './signedDelivery.js';
import { captureError } from './test-support/captureError.js';
import { canonical, clockAt, NOW, v1aKeys, wsSecret } from './test-support/fixtures.js';
import { MAX_V1A_ENTRIES } from './verifyKeySet.js';
import { Webhook } from './Webhook.js';

const options = { now: clockAt(NOW) };
const other = generateKeyPair();
const body = '{"type":"v1a"}';

function rejection(
  webhook: Webhook,
  headers: Record<string, string>,
  payload = body,
): WebhookVerificationError {
  const error = captureError(() => webhook.verify(headers, payload));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

/** Headers of a delivery of `body` at NOW whose signature list is `signature`. */
const withSignature = (signature: string) => ({
  'webhook-id': 'msg_v1a',
  'webhook-timestamp': String(NOW),
  'webhook-signature': signature,
});
const entry = (secret: string) => sign({ secret, id: 'msg_v1a', timestamp: NOW, body });

describe('verifying v1a (ed25519) against whpk_ public keys', () => {
  const receiver = new Webhook(v1aKeys.publicKey, options);

  it('accepts a delivery signed with the whsk_ key, in either layout', () => {
    for (const secret of [v1aKeys.seed, v1aKeys.seedAndPublic]) {
      const d = signedDelivery({ secret, payload: body, timestamp: NOW });
      expect(d.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
      expect(receiver.verify(d.headers, d.body).body.toString()).toBe(body);
    }
  });

  it('rejects a tampered body', () => {
    const d = signedDelivery({ secret: v1aKeys.seed, payload: body, timestamp: NOW });
    expect(rejection(receiver, d.headers, body.replace('v1a', 'v1b')).code).toBe('no_matching_signature');
  });

  it('rejects a signature made with another key, counting what was tried', () => {
    const error = rejection(receiver, withSignature(entry(other.signingKey)));
    expect(error.code).toBe('no_matching_signature');
    expect(error.message).toMatch(/0 v1 entries against 0 secrets, 1 v1a entry against 1 public key/);
  });

  it('checks the timestamp before the signature, as for v1', () => {
    const d = signedDelivery({ secret: v1aKeys.seed, payload: body, timestamp: NOW - 301 });
    expect(rejection(receiver, d.headers).code).toBe('timestamp_too_old');
  });

  it('refuses a header with only v1 entries, or a malformed v1a entry', () => {
    const onlyV1 = rejection(receiver, withSignature(entry(canonical.secret)));
    expect(onlyV1.code).toBe('invalid_signature_header');
    expect(onlyV1.message).toMatch(/no v1a entry/);
    const short = rejection(receiver, withSignature(`v1a,${Buffer.alloc(32).toString('base64')}`));
    expect(short.code).toBe('invalid_signature_header');
    expect(short.message).toMatch(/88-character base64 ed25519 signature/);
  });

  it(`refuses more than ${MAX_V1A_ENTRIES} v1a entries before verifying any`, () => {
    const decoy = `v1a,${Buffer.alloc(64, 7).toString('base64')}`;
    const list = [...Array(MAX_V1A_ENTRIES).fill(decoy), entry(v1aKeys.seed)].join(' ');
    const error = rejection(receiver, withSignature(list));
    expect(error.code).toBe('invalid_signature_header');
    expect(error.message).toMatch(/carries 9 v1a entries/);
    const allowed = [...Array(MAX_V1A_ENTRIES - 1).fill(decoy), entry(v1aKeys.seed)].join(' ');
    expect(receiver.verify(withSignature(allowed), body).id).toBe('msg_v1a');
  });

  it('skips unknown versions beside a valid v1a entry', () => {
    const list = `v2,${Buffer.alloc(64).toString('base64')} ${entry(v1aKeys.seed)} v1b,x`;
    expect(receiver.verify(withSignature(list), body).id).toBe('msg_v1a');
  });

  it('never accepts an HMAC keyed with the public key (a key anyone can read)', () => {
    const publicAsHmac = `whsec_${v1aKeys.publicKey.slice(5)}`;
    const error = rejection(receiver, withSignature(entry(publicAsHmac)));
    expect(error.code).toBe('invalid_signature_header');
  });
});

describe('a trust list mixing v1 secrets and whpk_ keys (a migration)', () => {
  const receiver = new Webhook(`${v1aKeys.publicKey}, ${canonical.secret}`, options);

  it('reports both schemes, so the header precheck admits either', () => {
    expect(receiver.schemes).toEqual(['v1', 'v1a']);
    expect(new Webhook(wsSecret).schemes).toEqual(['v1']);
    expect(new Webhook(v1aKeys.publicKey).schemes).toEqual(['v1a']);
  });

  it('accepts a header whose v1a entry matches and whose v1 entry does not', () => {
    const list = `${entry(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)} ${entry(v1aKeys.seed)}`;
    expect(receiver.verify(withSignature(list), body).id).toBe('msg_v1a');
  });

  it('accepts a header whose v1 entry matches and whose v1a entry does not', () => {
    const list = `${entry(other.signingKey)} ${entry(canonical.secret)}`;
    expect(receiver.verify(withSignature(list), body).id).toBe('msg_v1a');
  });

  it('accepts what a sender signing with both kinds sends, v1 entry first', () => {
    const header = entry(`${canonical.secret},${v1aKeys.seed}`);
    expect(header).toMatch(/^v1,\S{44} v1a,\S{88}$/);
    expect(receiver.verify(withSignature(header), body).id).toBe('msg_v1a');
  });

  it('rejects a header where no entry matches a trusted key of its kind', () => {
    const list = `${entry(other.signingKey)} ${entry(wsSecret)}`;
    const error = rejection(receiver, withSignature(list));
    expect(error.code).toBe('no_matching_signature');
    expect(error.message).toMatch(/1 v1 entry against 1 secret, 1 v1a entry against 1 public key/);
  });

  it('leaves a v1-only endpoint refusing a header of v1a entries alone', () => {
    const error = rejection(new Webhook(canonical.secret, options), withSignature(entry(v1aKeys.seed)));
    expect(error.code).toBe('invalid_signature_header');
  });
});

describe('rotating v1a keys', () => {
  it('signs with every whsk_ key, and a receiver trusting either public key accepts', () => {
    const header = entry(`${v1aKeys.seed},${other.signingKey}`);
    expect(header.split(' ')).toHaveLength(2);
    for (const key of [v1aKeys.publicKey, other.publicKey]) {
      expect(new Webhook(key, options).verify(withSignature(header), body).id).toBe('msg_v1a');
    }
  });

  it('verifies with any key of a trust list of several public keys', () => {
    const receiver = new Webhook([other.publicKey, v1aKeys.publicKey], options);
    expect(receiver.verify(withSignature(entry(v1aKeys.seed)), body).id).toBe('msg_v1a');
    expect(receiver.verify(withSignature(entry(other.signingKey)), body).id).toBe('msg_v1a');
  });
});

describe('signing refuses a public key', () => {
  it('sign() refuses a whpk_ key among the secrets', () => {
    const error = captureError(() => entry(`${canonical.secret},${v1aKeys.publicKey}`));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as Error).message).toMatch(/cannot make them/);
  });

  it('a Webhook holding a whpk_ key verifies but refuses to sign', () => {
    const error = captureError(() => new Webhook(v1aKeys.publicKey).sign('msg_1', NOW, body));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as Error).message).toMatch(/whpk_ public key.* cannot make them/);
  });

  it('a Webhook built from a whsk_ key signs and verifies its own deliveries', () => {
    const sender = new Webhook(v1aKeys.seed, options);
    expect(sender.verify(withSignature(sender.sign('msg_v1a', NOW, body)), body).id).toBe('msg_v1a');
  });
});

describe('precheckWebhookHeaders with schemes', () => {
  const precheck = { toleranceSeconds: 300, now: clockAt(NOW) };
  const v1aOnly = withSignature(entry(v1aKeys.seed));

  it('admits a v1a-only header when the endpoint verifies v1a, and refuses it by default', () => {
    expect(precheckWebhookHeaders(v1aOnly, { ...precheck, schemes: ['v1', 'v1a'] }).id).toBe('msg_v1a');
    const error = captureError(() => precheckWebhookHeaders(v1aOnly, precheck));
    expect((error as WebhookVerificationError).code).toBe('invalid_signature_header');
  });

  it('refuses a header with too many v1a entries before the body is read', () => {
    const many = withSignature(
      Array(MAX_V1A_ENTRIES + 1)
        .fill(entry(v1aKeys.seed))
        .join(' '),
    );
    const error = captureError(() => precheckWebhookHeaders(many, { ...precheck, schemes: ['v1a'] }));
    expect((error as WebhookVerificationError).code).toBe('invalid_signature_header');
  });
});
