import { describe, expect, it } from 'vitest';
import { SenderConfigError } from '../errors.js';
import { parseSendRequest } from './parseRequestOptions.js';

describe('parseSendRequest: type', () => {
  it('takes a type, a comma list, an array or all, like --type', () => {
    expect(parseSendRequest({ to: 'http://x', generate: 2, type: 'refund.created' }).types).toEqual([
      'refund.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: 'payment.succeeded,refund.created' }).types).toEqual([
      'payment.succeeded',
      'refund.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: ['invoice.paid', 'entry.created'] }).types).toEqual([
      'invoice.paid',
      'entry.created',
    ]);
    expect(parseSendRequest({ to: 'http://x', type: 'all' }).types).toHaveLength(41);
    expect(parseSendRequest({ to: 'http://x', generate: 1 })).not.toHaveProperty('types');
  });

  it('rejects a type outside the catalog or of the wrong shape', () => {
    expect(() => parseSendRequest({ to: 'http://x', type: 'payout.created' })).toThrow(SenderConfigError);
    expect(() => parseSendRequest({ to: 'http://x', type: 'payout.created' })).toThrow('"payout.created"');
    expect(() => parseSendRequest({ to: 'http://x', type: 7 })).toThrow(
      'type must be a string or a non-empty array of strings',
    );
  });
});
