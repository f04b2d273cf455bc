// The bearer-token check of both apps' APIs. Both sides are hashed before the constant-time
// comparison, so neither the token's length nor a matching prefix shows in the timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerTokenPattern, bearerTokenRule } from './bearerToken.js';
import { HttpError } from './HttpError.js';
import { sendHttpError } from './sendHttpError.js';

export { bearerTokenPattern, bearerTokenRule };

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Why a request was refused: no Authorization header, one that is not `Bearer <token>`, another token. */
export type BearerFailure = 'missing' | 'malformed' | 'wrong';

/** Every BearerFailure, for metrics that show each reason from the start. */
export const bearerFailures: readonly BearerFailure[] = ['missing', 'malformed', 'wrong'];

export interface BearerAuthOptions<Req extends IncomingMessage = IncomingMessage> {
  /** The token every request must carry; it must match bearerTokenPattern. */
  token: string;
  /** The setting that holds the token, named in the refusals (`RECEIVER_API_TOKEN`). */
  setting: string;
  /** What the token opens, for the missing-token message (`read API`). */
  api: string;
  /** What runs with the token, for the wrong-token message (`receiver`). */
  server: string;
  /** Hears every 401 (never the token presented). */
  onRefused?: (reason: BearerFailure, req: Req) => void;
}

/**
 * Guards routes with `Authorization: Bearer <token>` (the scheme in any case, one or more spaces
 * before the token, whitespace after it). No header, or one of another form, is 401
 * `missing_token` with the challenge `Bearer`; another token is 401 `invalid_token` with
 * `Bearer error="invalid_token"`. A middleware of the `(req, res, next)` shape Express and plain
 * node:http routers share: a refusal is answered here, a match calls `next()`.
 *
 * @throws {RangeError} when `token` breaks bearerTokenPattern (the message does not quote it).
 * @example
 * router.use(bearerAuth({ token, setting: 'RECEIVER_API_TOKEN', api: 'read API', server: 'receiver' }));
 */
export function bearerAuth<Req extends IncomingMessage>(
  options: BearerAuthOptions<Req>,
): (req: Req, res: ServerResponse, next: () => void) => void {
  const { token, setting, api, server, onRefused = () => {} } = options;
  if (!bearerTokenPattern.test(token)) throw new RangeError(`the ${api} token ${bearerTokenRule}`);
  const expected = digest(token);
  const missing = new HttpError(
    401,
    'missing_token',
    `Send the ${api} token as "Authorization: Bearer <${setting}>"`,
    {
      headers: { 'www-authenticate': 'Bearer' },
    },
  );
  const wrong = new HttpError(
    401,
    'invalid_token',
    `The bearer token is not the ${setting} this ${server} runs with`,
    {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    },
  );
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match === null) {
      onRefused(header === undefined ? 'missing' : 'malformed', req);
      sendHttpError(res, missing);
      return;
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      onRefused('wrong', req);
      sendHttpError(res, wrong);
      return;
    }
    next();
  };
}
