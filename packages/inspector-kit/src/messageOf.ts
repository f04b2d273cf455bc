import { ApiError } from './ApiError.ts';

/**
 * A failure in the words a page shows: the server's message and its code for an ApiError.
 *
 * @example messageOf(new ApiError(400, 'invalid_query', 'limit must be 1 to 500')) // 'limit must be 1 to 500 (invalid_query)'
 */
export const messageOf = (error: unknown): string =>
  error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
