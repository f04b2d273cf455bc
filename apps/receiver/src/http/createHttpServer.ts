// The receiver's node:http server with its defences set: how long a client may take to send its
// headers and its whole request, how long an idle keep-alive socket stays open, how many sockets
// may be open at once. Express builds none of these; Node's defaults let one slow client hold a
// socket and its buffers for five minutes.
import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientError } from './answerClientError.js';

export interface HttpServerLimits {
  /** Headers not complete by then: 408 and the connection closed. */
  headersTimeoutMs: number;
  /** Whole request (headers and body) not complete by then: 408 and the connection closed. */
  requestTimeoutMs: number;
  /** Most open client sockets; new ones beyond it are closed at once. */
  maxConnections: number;
  /** An idle keep-alive socket is closed after this long (default 5000). */
  keepAliveTimeoutMs?: number;
}

/**
 * An http.Server for `app` with the limits applied and `answerClientError` answering requests the
 * parser or a timeout rejects.
 *
 * @example
 * const server = createHttpServer(receiver, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1024 });
 * server.listen(3000, '127.0.0.1');
 */
export function createHttpServer(app: RequestListener, limits: HttpServerLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past their timeouts: a fraction of the shortest one, so
      // a timeout fires close to when it is due rather than up to 30 s (Node's default) later.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 5000;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  return server;
}
