import { describe, expect, it } from 'vitest';
import type { StoreErrorCode } from '../errors.js';
import { storeErrorStatus } from './storeErrorStatus.js';

describe('storeErrorStatus', () => {
  // Every StoreErrorCode: `satisfies` fails to compile when one is missing or misspelled.
  const expected = {
    invalid_cursor: 400,
    unstorable_delivery: 422,
    store_unavailable: 503,
    store_overloaded: 503,
    store_in_use: 503,
    unsupported_database: 503,
    store_closed: 503,
  } satisfies Record<StoreErrorCode, number>;

  it.each(Object.entries(expected))('answers %s with %i', (code, status) => {
    expect(storeErrorStatus(code as StoreErrorCode)).toBe(status);
  });
});
