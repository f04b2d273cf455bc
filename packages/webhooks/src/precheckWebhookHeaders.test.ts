import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { precheckWebhookHeaders } from './precheckWebhookHeaders.js';
import { signedDelivery } from './signedDelivery.js';
import { captureError } from './test-support/captureError.js';
import { clockAt, NOW, wsSecret } from './test-support/fixtures.js';

const delivery = signedDelivery({ secret: wsSecret, payload: { a: 1 }, id: 'msg_1', timestamp: NOW });
const options = { toleranceSeconds: 300, now: clockAt(NOW) };

function codeOf(headers: Record<string, string>): string {
  const error = captureError(() => precheckWebhookHeaders(headers, options));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe('precheckWebhookHeaders', () => {
  it('passes the headers of a correctly signed delivery and returns them', () => {
    expect(precheckWebhookHeaders(delivery.headers, options)).toEqual({
      id: 'msg_1',
      timestamp: String(NOW),
      signature: delivery.headers['webhook-signature'],
    });
  });

  it('passes a well-formed signature it cannot check without the body', () => {
    const forged = {
      ...delivery.headers,
      'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')}`,
    };
    expect(precheckWebhookHeaders(forged, options).id).toBe('msg_1');
  });

  it('reports the code verify() would for each header-only failure', () => {
    const { 'webhook-id': _id, ...noId } = delivery.headers;
    expect(codeOf(noId)).toBe('missing_header');
    expect(codeOf({ ...delivery.headers, 'webhook-timestamp': '12a' })).toBe('invalid_timestamp');
    expect(codeOf({ ...delivery.headers, 'webhook-timestamp': String(NOW - 301) })).toBe('timestamp_too_old');
    expect(codeOf({ ...delivery.headers, 'webhook-timestamp': String(NOW + 301) })).toBe('timestamp_too_new');
    expect(codeOf({ ...delivery.headers, 'webhook-signature': 'v2,abc' })).toBe('invalid_signature_header');
  });
});
