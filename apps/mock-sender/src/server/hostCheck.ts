// The Host check against DNS rebinding: a page on another site that resolves its own name to this
// service's address still sends its own name as Host, so only the names the service answers to pass.
import type { Server } from 'node:http';
import { HttpError } from '@webhook-contracts/http-kit';
import { type HostName, hostAllowed } from './allowedHosts.js';
import type { Middleware } from './senderRouter.js';

/**
 * Passes a request whose Host names `server`'s listen address (or a loopback name on its port) or
 * one of `allowedHosts`; anything else is 421 `host_not_allowed`, without repeating the header (an
 * answer carries nothing a client made up).
 *
 * @example
 * const check = hostCheck(server, [parseHostName('sender.internal')]);
 */
export function hostCheck(server: Server, allowedHosts: readonly HostName[]): Middleware {
  return (req, _res, next) => {
    // A pipe or socket-file listener has no port: only SENDER_ALLOWED_HOSTS names it then.
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address : { address: '', port: -1 };
    if (!hostAllowed(req.headers.host, { host: bound.address, port: bound.port }, allowedHosts)) {
      throw new HttpError(
        421,
        'host_not_allowed',
        'the Host header does not name this service: use its listen address or a name in SENDER_ALLOWED_HOSTS',
      );
    }
    next();
  };
}
