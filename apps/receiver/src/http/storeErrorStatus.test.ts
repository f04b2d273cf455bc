import { describe, expect, it } from 'vitest';
import type { StoreErrorCode } from '../errors.js';
import { storeErrorStatus } from './storeErrorStatus.js';

// Every StoreErrorCode once: `satisfies` stops compiling when one is added, missing or misspelled.
const everyCode = Object.keys({
  invalid_cursor: true,
  unstorable_delivery: true,
  store_unavailable: true,
  store_overloaded: true,
  store_in_use: true,
  unsupported_database: true,
  store_closed: true,
} satisfies Record<StoreErrorCode, true>) as StoreErrorCode[];

describe('storeErrorStatus', () => {
  it('answers a cursor the store did not issue with 400, the client’s mistake', () => {
    expect(storeErrorStatus('invalid_cursor')).toBe(400);
  });

  it('answers a delivery no database could keep with 422, so the sender stops retrying it', () => {
    expect(storeErrorStatus('unstorable_delivery')).toBe(422);
  });

  it('answers every other store failure with 503, which the sender retries', () => {
    const others = everyCode.filter((code) => code !== 'invalid_cursor' && code !== 'unstorable_delivery');
    expect(others).toHaveLength(5);
    expect(others.map(storeErrorStatus)).toEqual([503, 503, 503, 503, 503]);
  });
});
