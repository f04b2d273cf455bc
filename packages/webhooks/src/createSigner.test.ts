import { describe, expect, it } from 'vitest';
import { generateKeyPair } from './asymmetricKeys.js';
import { createSigner } from './createSigner.js';
import { WebhookConfigError } from './errors.js';
import { canonical, wsSecret } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

describe('createSigner', () => {
  it('produces the canonical Standard Webhooks vector', () => {
    const sign = createSigner(canonical.secret);
    expect(sign(canonical.id, canonical.timestamp, canonical.body)).toBe(canonical.signature);
  });

  it('signs as Webhook.sign does, one v1 entry per secret of a list', () => {
    const secrets = `${wsSecret},${canonical.secret}`;
    const body = Buffer.from('{"id":"msg_1"}');
    const signature = createSigner(secrets)('msg_1', 1_700_000_000, body);
    expect(signature).toBe(new Webhook(secrets).sign('msg_1', 1_700_000_000, body));
    expect(signature.split(' ')).toHaveLength(2);
  });

  it('adds a v1a entry per whsk_ key, which the matching public key verifies', () => {
    const { signingKey, publicKey } = generateKeyPair();
    const sign = createSigner([wsSecret, signingKey]);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = sign('msg_2', timestamp, '{}');
    expect(signature.split(' ').map((entry) => entry.split(',')[0])).toEqual(['v1', 'v1a']);
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(new Webhook(publicKey).verify(headers, '{}').id).toBe('msg_2');
  });

  it('refuses a whpk_ public key when it is made, not at the first delivery', () => {
    const { publicKey } = generateKeyPair();
    expect(() => createSigner([wsSecret, publicKey])).toThrow(WebhookConfigError);
  });
});
