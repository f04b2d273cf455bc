import { describe, expect, it } from 'vitest';
import { WebhookConfigError, type WebhookVerificationError } from './errors.js';
import { signedDelivery } from './signedDelivery.js';
import { captureError } from './test-support/captureError.js';
import { canonical, clockAt, NOW, wsSecret } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

describe('Webhook with several secrets (rotation)', () => {
  const oldSecret = canonical.secret;
  const newSecret = wsSecret;
  const webhook = new Webhook([newSecret, oldSecret], { now: clockAt(NOW) });

  it('verifies a delivery signed with the old secret', () => {
    const d = signedDelivery({ secret: oldSecret, payload: '{}', timestamp: NOW });
    expect(webhook.verify(d.headers, d.body).id).toBe(d.id);
  });

  it('verifies a delivery signed with the new secret', () => {
    const d = signedDelivery({ secret: newSecret, payload: '{}', timestamp: NOW });
    expect(webhook.verify(d.headers, d.body).id).toBe(d.id);
  });

  it('rejects a delivery signed with neither', () => {
    const d = signedDelivery({ secret: 'ws_third', payload: '{}', timestamp: NOW });
    const error = captureError(() => webhook.verify(d.headers, d.body)) as WebhookVerificationError;
    expect(error.code).toBe('no_matching_signature');
    expect(error.message).toMatch(/\(1 tried against 2 secrets\)/);
  });

  it('signs with every secret, so a receiver holding either one accepts', () => {
    const header = webhook.sign('msg_r', NOW, '{}');
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      const single = new Webhook(secret, { now: clockAt(NOW) });
      expect(
        single.verify(
          { 'webhook-id': 'msg_r', 'webhook-timestamp': String(NOW), 'webhook-signature': header },
          '{}',
        ).id,
      ).toBe('msg_r');
    }
  });

  it('rejects an unusable secret in the list at construction', () => {
    const error = captureError(() => new Webhook([wsSecret, 'whsec_***']));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as WebhookConfigError).code).toBe('invalid_secret');
  });

  it('rejects an empty list at construction', () => {
    expect(() => new Webhook([])).toThrowError(WebhookConfigError);
  });
});

describe('Webhook given one string', () => {
  const delivery = (secret: string) => signedDelivery({ secret, payload: '{}', timestamp: NOW });

  it('reads a comma-separated value as a rotation list, never as one key with a comma in it', () => {
    const webhook = new Webhook(`${wsSecret}, ${canonical.secret}`, { now: clockAt(NOW) });
    for (const secret of [wsSecret, canonical.secret]) {
      const d = delivery(secret);
      expect(webhook.verify(d.headers, d.body).id).toBe(d.id);
    }
    expect(webhook.sign('msg_r', NOW, '{}')).toBe(
      new Webhook([wsSecret, canonical.secret]).sign('msg_r', NOW, '{}'),
    );
  });

  it('drops surrounding whitespace the way the receiver and the mock sender do', () => {
    const webhook = new Webhook(`${wsSecret}\n`, { now: clockAt(NOW) });
    const d = delivery(wsSecret);
    expect(webhook.verify(d.headers, d.body).id).toBe(d.id);
  });

  it('uses a bare base64 secret as the same key as its whsec_ form', () => {
    const bare = canonical.secret.slice('whsec_'.length);
    expect(new Webhook(bare).sign(canonical.id, canonical.timestamp, canonical.body)).toBe(
      canonical.signature,
    );
  });

  it('refuses a value that holds no secret, naming the accepted forms', () => {
    const error = captureError(() => new Webhook(' , ')) as WebhookConfigError;
    expect(error.code).toBe('invalid_secret');
    expect(error.message).toMatch(
      /No webhook secret was given: pass the endpoint secret \(whsec_… or ws_…\)/,
    );
  });
});
