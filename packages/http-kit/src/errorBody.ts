import type { ErrorBody } from '@webhook-contracts/schema';

/**
 * The one error shape of both apps, `{ "error": { "code", "message", "details"? } }`, as the
 * schema package declares it.
 *
 * @example
 * errorBody('invalid_query', 'limit is "x": expected 1 to 100', [{ parameter: 'limit', problem: 'invalid' }]);
 */
export function errorBody(code: string, message: string, details?: readonly unknown[]): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details: [...details] } };
}
