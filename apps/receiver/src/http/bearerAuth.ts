import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { sendError } from './sendError.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * What a read-API token must be, as the mock sender's SENDER_API_TOKEN: 16 to 512 visible ASCII
 * characters (0x21–0x7E). Shorter is guessable; a space could never arrive in one bearer
 * credential, so such a token would lock everyone out.
 */
export const apiTokenPattern = /^[\x21-\x7e]{16,512}$/;

/** The rule in words, for the start-up refusal (it never quotes the token). */
export const apiTokenRule =
  'must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)';

/** Why a request was refused: no Authorization header, one that is not `Bearer <token>`, another token. */
export type AuthFailure = 'missing' | 'malformed' | 'wrong';

/** Every AuthFailure, for metrics that show each reason from the start. */
export const authFailures: readonly AuthFailure[] = ['missing', 'malformed', 'wrong'];

/**
 * Guards the read API with `Authorization: Bearer <token>`. Comparing SHA-256 digests with
 * timingSafeEqual keeps the check constant-time whatever the presented token's length.
 * With no token configured the API is off: every route answers 403 `read_api_disabled`.
 * `onRefused` hears every 401 (never the token presented).
 *
 * @throws {RangeError} when `token` breaks apiTokenPattern (the message does not quote it).
 * @example
 * router.use(bearerAuth(process.env.RECEIVER_API_TOKEN ?? null, (reason) => failures.inc({ reason })));
 */
export function bearerAuth(
  token: string | null,
  onRefused: (reason: AuthFailure, req: Request) => void = () => {},
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
  if (!apiTokenPattern.test(token)) throw new RangeError(`the read API token ${apiTokenRule}`);
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match === null) {
      onRefused(header === undefined ? 'missing' : 'malformed', req);
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
      onRefused('wrong', req);
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
