// The HTTP status each store failure is answered with: the store names what went wrong (its code),
// the HTTP layer decides what a client is told.
import type { StoreErrorCode } from '../errors.js';

// A Record, so a new StoreErrorCode does not compile until it is given its status here.
const statusByCode: Record<StoreErrorCode, 400 | 422 | 503> = {
  // A paging cursor the store did not issue: the client's mistake.
  invalid_cursor: 400,
  // A delivery the database refuses whatever the load: a retry could never succeed.
  unstorable_delivery: 422,
  // The sender (or reader) retries these: the store may take it later.
  store_unavailable: 503,
  store_overloaded: 503,
  // Programming or deployment mistakes, not the client's: nothing it sent is wrong.
  store_in_use: 503,
  unsupported_database: 503,
  store_closed: 503,
};

/**
 * The HTTP status a StoreError with this code is answered with.
 *
 * @example
 * if (error instanceof StoreError) res.status(storeErrorStatus(error.code)); // invalid_cursor: 400
 */
export function storeErrorStatus(code: StoreErrorCode): 400 | 422 | 503 {
  return statusByCode[code];
}
