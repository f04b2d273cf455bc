import { type BearerFailure, bearerAuth, sendError } from '@webhook-contracts/http-kit';
import type { Request, RequestHandler } from 'express';

/**
 * Guards the read API with `Authorization: Bearer <RECEIVER_API_TOKEN>` (the kit's bearer check).
 * With no token configured the API is off: every route answers 403 `read_api_disabled`.
 * `onRefused` hears every 401 (never the token presented).
 *
 * @throws {RangeError} when `token` breaks the token rule (the message does not quote it).
 * @example
 * router.use(readApiAuth(process.env.RECEIVER_API_TOKEN ?? null, (reason) => failures.inc({ reason })));
 */
export function readApiAuth(
  token: string | null,
  onRefused: (reason: BearerFailure, req: Request) => void = () => {},
): RequestHandler {
  if (token === null) {
    return (_req, res) =>
      sendError(
        res,
        403,
        'read_api_disabled',
        'The read API is off: start the receiver with RECEIVER_API_TOKEN (or --api-token) set to enable it',
      );
  }
  return bearerAuth<Request>({
    token,
    setting: 'RECEIVER_API_TOKEN',
    api: 'read API',
    server: 'receiver',
    onRefused,
  });
}
