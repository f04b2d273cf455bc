import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from './errors.js';
import { readWebhookHeaders } from './headers.js';
import { captureError } from './test-support/captureError.js';

const expected = { id: 'msg_1', timestamp: '1700000000', signature: 'v1,abc' };

describe('readWebhookHeaders', () => {
  it("reads Node's lower-cased header object", () => {
    expect(
      readWebhookHeaders({
        'webhook-id': 'msg_1',
        'webhook-timestamp': '1700000000',
        'webhook-signature': 'v1,abc',
      }),
    ).toEqual(expected);
  });

  it('reads a plain object whose header names use any case', () => {
    expect(
      readWebhookHeaders({
        'Webhook-Id': 'msg_1',
        'WEBHOOK-TIMESTAMP': '1700000000',
        'webhook-Signature': 'v1,abc',
      }),
    ).toEqual(expected);
  });

  it('reads fetch Headers', () => {
    const headers = new Headers({ 'Webhook-Id': 'msg_1', 'Webhook-Timestamp': '1700000000' });
    headers.set('webhook-signature', 'v1,abc');
    expect(readWebhookHeaders(headers)).toEqual(expected);
  });

  it('takes the first value of a repeated id or timestamp and joins repeated signature headers', () => {
    expect(
      readWebhookHeaders({
        'webhook-id': ['msg_1', 'msg_2'],
        'webhook-timestamp': ['1700000000'],
        'webhook-signature': ['v1,abc', 'v1,def'],
      }),
    ).toEqual({ ...expected, signature: 'v1,abc v1,def' });
  });

  it('names every missing or empty header in one missing_header error', () => {
    let error: unknown;
    try {
      readWebhookHeaders({ 'webhook-id': '', 'webhook-timestamp': '1700000000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe('missing_header');
    expect((error as WebhookVerificationError).status).toBe(401);
    expect((error as Error).message).toMatch(/^Missing webhook headers webhook-id, webhook-signature:/);
  });
});

describe('readWebhookHeaders with other headers around and missing ones', () => {
  it('finds each header by name among others, whatever their case', () => {
    expect(
      readWebhookHeaders({
        'Content-Type': 'application/json',
        'X-Other': 'no',
        'Webhook-Id': 'msg_1',
        'WEBHOOK-TIMESTAMP': '1',
        'webhook-Signature': 'v1,x',
      }),
    ).toEqual({ id: 'msg_1', timestamp: '1', signature: 'v1,x' });
  });

  it('lists every missing header, singular or plural, and says what to check', () => {
    const all = captureError(() => readWebhookHeaders({}));
    expect(all).toBeInstanceOf(WebhookVerificationError);
    expect(all).toMatchObject({
      code: 'missing_header',
      message:
        'Missing webhook headers webhook-id, webhook-timestamp, webhook-signature: a signed delivery carries ' +
        'webhook-id, webhook-timestamp and webhook-signature (check that a proxy does not strip them).',
    });
    const one = captureError(() => readWebhookHeaders({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1' }));
    expect((one as Error).message).toMatch(/^Missing webhook header webhook-signature: a signed delivery/);
  });
});

describe('error classes', () => {
  it('carry their names, codes and HTTP statuses', () => {
    const verification = new WebhookVerificationError('missing_header', 'm');
    expect([verification.name, verification.code, verification.status]).toEqual([
      'WebhookVerificationError',
      'missing_header',
      401,
    ]);
  });
});
