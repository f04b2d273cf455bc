// The serve service's router: the open routes, then middleware in order (each answers or calls
// next() before it settles), then the routes by method and path. Every error a step throws, rejects with or passes to next() becomes one answer
// in the error shape; a path no route has is 404 naming the routes, a known path with another
// method is 405 naming the methods it takes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '@webhook-contracts/http-kit';

/** A step before the routes: answers the request, or calls `next()` to pass it on. */
export type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => unknown;

/** A route's handler; `param` is what the route's `:id` matched (still percent-encoded). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, param: string) => unknown;

/** Routes by `METHOD /path`; a path ending in `/:id` takes any rest of the path as its parameter. */
export type Routes = Readonly<Record<string, RouteHandler>>;

export interface SenderRouterOptions {
  /** Routes answered before any middleware (GET /healthz: no Host check, no token). */
  openRoutes: Routes;
  middleware: readonly Middleware[];
  routes: Routes;
  /** Answers what went wrong (the answer may have started: then it can only cut the connection). */
  onError: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
  /** How long a client may take to read an answer before its connection is closed. */
  answerWriteMs: number;
}

/** How much of a request path a 404 message repeats. */
const ECHOED_PATH_CHARS = 100;

/**
 * The request target as a URL; a target that is no path (`GET http://[ …`) is the client's 400.
 *
 * @example
 * requestUrl(req).searchParams.get('limit');
 */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://mock-sender');
  } catch {
    throw new HttpError(
      400,
      'invalid_request',
      'the request target is not a path: send e.g. GET /deliveries',
    );
  }
}

/** The handler for `method path`, the parameter its `:id` matched, or the routes of that path. */
function match(
  routes: Routes,
  method: string,
  path: string,
): { handler: RouteHandler; param: string } | { samePath: string[] } {
  const samePath: string[] = [];
  for (const [route, handler] of Object.entries(routes)) {
    const [routeMethod = '', routePath = ''] = route.split(' ');
    const prefix = routePath.endsWith('/:id') ? routePath.slice(0, -3) : undefined;
    const hit = prefix === undefined ? path === routePath : path.startsWith(prefix);
    if (!hit) continue;
    if (routeMethod === method)
      return { handler, param: prefix === undefined ? '' : path.slice(prefix.length) };
    samePath.push(route);
  }
  return { samePath };
}

/**
 * Bounds the time a client may take to read an answer written in full: one that stops reading
 * cannot keep the connection and the answer in memory for ever. A timer, not the socket's idle
 * timeout, which would outlive this answer on a kept-alive socket.
 */
function limitAnswerTime(res: ServerResponse, ms: number): void {
  if (!res.writableEnded || res.writableFinished || res.destroyed) return;
  const deadline = setTimeout(() => res.destroy(), ms);
  const clear = () => clearTimeout(deadline);
  res.once('finish', clear);
  res.once('close', clear);
}

/**
 * Builds the request listener.
 *
 * @example
 * createServer(senderRouter({ openRoutes: { 'GET /healthz': health }, middleware: [hostCheck(...)], routes, onError, answerWriteMs: 30_000 }));
 */
export function senderRouter(
  options: SenderRouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { openRoutes, middleware, routes, onError, answerWriteMs } = options;
  const allRoutes: Routes = { ...openRoutes, ...routes };

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req);
    const method = req.method ?? 'GET';
    const open = match(openRoutes, method, url.pathname);
    if ('handler' in open) {
      await open.handler(req, res, url, open.param);
      return;
    }
    for (const step of middleware) {
      const passed = await new Promise<boolean>((resolve, reject) => {
        const next = (error?: unknown) => (error === undefined ? resolve(true) : reject(error));
        Promise.resolve()
          .then(() => step(req, res, next))
          .then(() => resolve(false), reject);
      });
      if (!passed) return;
    }
    const found = match(allRoutes, method, url.pathname);
    if ('handler' in found) {
      await found.handler(req, res, url, found.param);
      return;
    }
    if (found.samePath.length > 0) {
      throw new HttpError(405, 'method_not_allowed', `use ${found.samePath.join(' or ')}`);
    }
    const path =
      url.pathname.length > ECHOED_PATH_CHARS ? `${url.pathname.slice(0, ECHOED_PATH_CHARS)}…` : url.pathname;
    throw new HttpError(
      404,
      'not_found',
      `no route ${method} ${path}: the routes are ${Object.keys(allRoutes).join(', ')}`,
    );
  };

  return (req, res) => {
    dispatch(req, res)
      .catch((error: unknown) => onError(error, req, res))
      .finally(() => limitAnswerTime(res, answerWriteMs));
  };
}
