import { describe, expect, it } from 'vitest';
import { WebhookConfigError } from './errors.js';
import { sign, signedHeaders, signWithV1Keys } from './sign.js';
import { canonical, wsSecret } from './test-support/fixtures.js';
import { prepareV1Key } from './v1Key.js';
import { decodeKeys } from './webhookKeys.js';

describe('sign', () => {
  it('produces the canonical Standard Webhooks vector', () => {
    expect(sign(canonical)).toBe(canonical.signature);
  });

  it('gives the same signature for a string body and its UTF-8 bytes', () => {
    const body = '{"name":"Zoë 🎓"}';
    const input = { secret: wsSecret, id: 'msg_1', timestamp: 1_700_000_000 };
    expect(sign({ ...input, body })).toBe(sign({ ...input, body: new TextEncoder().encode(body) }));
  });

  it('signs a Uint8Array view over only its own bytes, not the whole underlying buffer', () => {
    const whole = Buffer.from('xx{"test": 2432232314}yy');
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4);
    expect(sign({ ...canonical, body: view })).toBe(canonical.signature);
  });

  it('signs a ws_ secret with its literal bytes, like whsec_ + base64 of those bytes', () => {
    const input = { id: 'msg_1', timestamp: 1_700_000_000, body: '{}' };
    expect(sign({ ...input, secret: wsSecret })).toBe(
      sign({ ...input, secret: `whsec_${Buffer.from(wsSecret).toString('base64')}` }),
    );
  });

  it('lists one v1 entry per secret, space separated, in the order given', () => {
    const other = 'ws_other';
    const both = sign({ ...canonical, secret: [canonical.secret, other] });
    expect(both).toBe(`${canonical.signature} ${sign({ ...canonical, secret: other })}`);
  });

  it('rejects an empty list of secrets', () => {
    expect(() => sign({ ...canonical, secret: [] })).toThrowError(/list of webhook secrets is empty/);
  });

  it.each([1.5, -1, Number.NaN])('rejects the timestamp %s, which is not whole Unix seconds', (timestamp) => {
    const error = (() => {
      try {
        sign({ ...canonical, timestamp });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as WebhookConfigError).code).toBe('invalid_options');
  });
});

describe('signedHeaders', () => {
  it('returns the three webhook headers for the delivery', () => {
    expect(signedHeaders(canonical)).toEqual({
      'webhook-id': canonical.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': canonical.signature,
    });
  });
});

describe('sign refuses a timestamp that is not Unix seconds', () => {
  it('says what it got and how to make one', () => {
    for (const timestamp of [-1, 1.5]) {
      const error = (() => {
        try {
          sign({ ...canonical, timestamp });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(WebhookConfigError);
      expect(error).toMatchObject({
        code: 'invalid_options',
        message: `The timestamp to sign must be a non-negative integer of Unix seconds, got ${timestamp}: use Math.floor(Date.now() / 1000).`,
      });
    }
  });
});

describe('signWithV1Keys (a Webhook signing with keys prepared once)', () => {
  const keysOf = (...secrets: string[]) =>
    secrets.map((secret) => prepareV1Key(decodeKeys(secret, 'sign').hmac[0] as Buffer));

  it('gives the same list as sign, for one secret and for several, string or bytes, any id', () => {
    const bodies = ['{}', '{"name":"Zoë 🎓"}', Buffer.from('x'.repeat(5_000))];
    for (const body of bodies) {
      for (const id of ['msg_1', canonical.id, 'msg_é']) {
        expect(signWithV1Keys(keysOf(canonical.secret), id, canonical.timestamp, body)).toBe(
          sign({ secret: canonical.secret, id, timestamp: canonical.timestamp, body }),
        );
        expect(signWithV1Keys(keysOf(canonical.secret, wsSecret), id, 7, body)).toBe(
          sign({ secret: [canonical.secret, wsSecret], id, timestamp: 7, body }),
        );
      }
    }
    expect(signWithV1Keys(keysOf(canonical.secret), canonical.id, canonical.timestamp, canonical.body)).toBe(
      canonical.signature,
    );
  });

  it('refuses a timestamp that is not Unix seconds, as sign does', () => {
    expect(() => signWithV1Keys(keysOf(canonical.secret), 'msg_1', 1.5, '{}')).toThrow(WebhookConfigError);
  });
});
