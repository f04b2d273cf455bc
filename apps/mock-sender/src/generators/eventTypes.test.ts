import { knownEventTypes } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { SenderConfigError } from '../errors.js';
import { DEFAULT_EVENT_TYPE, isEventTypeName, parseEventTypes } from './eventTypes.js';

describe('parseEventTypes', () => {
  it('takes one type, a comma list (deduplicated) or all', () => {
    expect(parseEventTypes('refund.created')).toEqual(['refund.created']);
    expect(parseEventTypes('payment.succeeded, refund.created,payment.succeeded')).toEqual([
      'payment.succeeded',
      'refund.created',
    ]);
    expect(parseEventTypes('all')).toEqual([...knownEventTypes].sort());
    expect(parseEventTypes('all')).toHaveLength(41);
  });

  it('rejects a type outside the catalog, naming it', () => {
    expect(() => parseEventTypes('payment.succeeded,payout.created')).toThrow(SenderConfigError);
    expect(() => parseEventTypes('payout.created')).toThrow('unknown event type "payout.created"');
    expect(() => parseEventTypes(' , ')).toThrow('--type needs an event type');
  });
});

describe('isEventTypeName', () => {
  it('knows every type the contract validates, and no other', () => {
    for (const type of knownEventTypes) expect(isEventTypeName(type)).toBe(true);
    expect(isEventTypeName(DEFAULT_EVENT_TYPE)).toBe(true);
    expect(isEventTypeName('payout.created')).toBe(false);
    expect(isEventTypeName('')).toBe(false);
  });
});
