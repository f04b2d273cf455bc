import { describe, expect, it } from 'vitest';
import { sign } from './sign.js';
import { signedDelivery } from './signedDelivery.js';
import { wsSecret } from './test-support/fixtures.js';

describe('signedDelivery', () => {
  it('serialises a value as JSON and signs exactly those bytes', () => {
    const d = signedDelivery({ secret: wsSecret, payload: { a: 1 }, id: 'msg_f', timestamp: 1_700_000_000 });
    expect(d.body.toString()).toBe('{"a":1}');
    expect(d.headers).toEqual({
      'webhook-id': 'msg_f',
      'webhook-timestamp': '1700000000',
      'webhook-signature': sign({ secret: wsSecret, id: 'msg_f', timestamp: 1_700_000_000, body: '{"a":1}' }),
    });
  });

  it('sends a string body as given, without JSON-encoding it again', () => {
    expect(signedDelivery({ secret: wsSecret, payload: '{ "a" : 1 }' }).body.toString()).toBe('{ "a" : 1 }');
  });

  it('defaults to a fresh msg_ id and the current time', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = signedDelivery({ secret: wsSecret, payload: {} });
    const b = signedDelivery({ secret: wsSecret, payload: {} });
    expect(a.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.timestamp).toBeGreaterThanOrEqual(before);
    expect(a.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
