import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './sendError.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Guards the read API with `Authorization: Bearer <token>`. Comparing SHA-256 digests with
 * timingSafeEqual keeps the check constant-time whatever the presented token's length.
 * With no token configured the API is off: every route answers 403 `read_api_disabled`.
 *
 * @example
 * router.use(bearerAuth(process.env.RECEIVER_API_TOKEN ?? null));
 */
export function bearerAuth(token: string | null): RequestHandler {
  if (token === null) {
    return (_req, res) =>
      sendError(
        res,
        403,
        'read_api_disabled',
        'The read API is off: start the receiver with RECEIVER_API_TOKEN (or --api-token) set to enable it',
      );
  }
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match === null) {
      res.set('www-authenticate', 'Bearer');
      sendError(
        res,
        401,
        'missing_token',
        'Send the read API token as "Authorization: Bearer <RECEIVER_API_TOKEN>"',
      );
      return;
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      res.set('www-authenticate', 'Bearer error="invalid_token"');
      sendError(
        res,
        401,
        'invalid_token',
        'The bearer token is not the RECEIVER_API_TOKEN this receiver runs with',
      );
      return;
    }
    next();
  };
}
