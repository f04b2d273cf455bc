import type { ServerResponse } from 'node:http';
import { errorBody } from './errorBody.js';
import { writeJson } from './writeJson.js';

/**
 * Answers with the one error shape every endpoint uses: `{ "error": { "code", "message", "details"? } }`.
 *
 * @example
 * sendError(res, 404, 'event_not_found', 'No event with webhook-id msg_1 is stored');
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: readonly unknown[],
): void {
  writeJson(res, status, errorBody(code, message, details));
}
