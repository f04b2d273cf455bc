import type { Response } from 'express';

/**
 * Answers with the one error shape every endpoint uses: `{ "error": { "code", "message", "details"? } }`.
 *
 * @example
 * sendError(res, 404, 'event_not_found', 'No event with webhook-id msg_1 is stored');
 */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: readonly unknown[],
): void {
  if (res.headersSent) return;
  res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
}
