// `mock-sender serve`: the sender as an HTTP service for staging pipelines. A pipeline step POSTs
// what it would pass on the command line and gets the summary back; GET /deliveries shows what
// happened recently. It holds a staging receiver's secret, so every door is shut by default: a
// bearer token on every route but /healthz, a Host check against DNS rebinding, JSON-only bodies,
// bounded options, answers and runs (SENDER_MAX_RUN_SECONDS), the service's own secret signs only
// for the allowed targets and its read token goes only to the allowed sources. This file assembles
// the pieces; each lives in its own file.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  bearerAuth,
  HttpError,
  inspectorAssets,
  sendError,
  sendHttpError,
  setNoStoreHeaders,
  writeJson,
} from '@webhook-contracts/http-kit';
import { WebhookConfigError } from '@webhook-contracts/webhooks';
import { codeDir } from '../codeDir.js';
import { SenderConfigError } from '../errors.js';
import type { HostName } from './allowedHosts.js';
import { DeliveryLog } from './DeliveryLog.js';
import { hostCheck } from './hostCheck.js';
import { RunPolicy } from './RunPolicy.js';
import { readRoutes } from './readRoutes.js';
import { INTERNAL_ERROR_MESSAGE, runRoutes } from './runRoutes.js';
import { senderRouter } from './senderRouter.js';
import { logLine } from './serverLog.js';
import { DEFAULT_MAX_RUN_SECONDS, DEFAULT_MAX_RUNS } from './serveSettings.js';
import type { TargetPrefix } from './targetAllowList.js';

export interface SenderServerOptions {
  /** Required as `Authorization: Bearer <token>` on every route but /healthz (16–512 visible ASCII). */
  token: string;
  /** Environment to read WEBHOOK_SECRET from when a request names no secret (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Host names (and name:port) accepted besides the listen address and the loopback names. */
  allowedHosts?: readonly HostName[];
  /** Receiver URL prefixes runs may target; undefined allows any target, with the request's own secret only. */
  allowedTargets?: readonly TargetPrefix[];
  /**
   * Receiver URL prefixes /replay reads from with the service's RECEIVER_API_TOKEN (default none).
   * /replay also reads from `allowedTargets`, but sends those only the request's own `token`.
   */
  allowedSources?: readonly TargetPrefix[];
  /** Runs (send, replay or check) at once; beyond, 429 (default 4). */
  maxRuns?: number;
  /** Longest a run may take, in seconds: longer schedules get 400, overrunning runs are stopped (default 3600). */
  maxRunSeconds?: number;
  /** How many recent deliveries GET /deliveries keeps (default 1000). */
  historySize?: number;
  /** Where the service's own lines go (default: one bounded line on stderr each). */
  log?: (text: string) => void;
  /** The inspector page's build folder; default apps/mock-sender/inspector/dist. */
  inspectorDir?: string;
}

/** Connections at once: past it a new one is closed at once, before it can hold a file descriptor. */
export const MAX_CONNECTIONS = 256;
/** How long a client may take to read an answer before its connection is closed. */
const ANSWER_WRITE_MS = 30_000;
// From src/ and from dist/ alike, the inspector's build is one folder up.
const defaultInspectorDir = join(codeDir, '../inspector/dist/');

/**
 * Builds the serve HTTP server (not yet listening).
 *
 * @throws {SenderConfigError} when the token breaks the token rule (the message does not quote it).
 * @example
 * const server = createSenderServer({ token: process.env.SENDER_API_TOKEN!, allowedTargets: [] });
 * server.listen(4000, '127.0.0.1');
 */
export function createSenderServer(options: SenderServerOptions): Server {
  let guard: ReturnType<typeof bearerAuth>;
  try {
    guard = bearerAuth({
      token: options.token,
      setting: 'SENDER_API_TOKEN',
      api: 'serve',
      server: 'service',
    });
  } catch (error) {
    throw new SenderConfigError('invalid_option', (error as Error).message, undefined, { cause: error });
  }
  const log = options.log ?? ((text: string) => logLine(text));
  const env = options.env ?? process.env;
  const deliveries = new DeliveryLog(options.historySize ?? 1000);
  const policy = new RunPolicy({
    allowedTargets: options.allowedTargets,
    allowedSources: options.allowedSources,
    env,
  });

  // Node checks the header and request deadlines on this interval (30 s by default, which would
  // let a client that trickles its headers hold a socket three times longer than headersTimeout).
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    // Every answer is private and dynamic; the inspector's files set their own caching.
    setNoStoreHeaders(res);
    route(req, res);
  });
  // A client that trickles its headers or body cannot hold a socket for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = MAX_CONNECTIONS;

  const route = senderRouter({
    openRoutes: { 'GET /healthz': (_req, res) => writeJson(res, 200, { status: 'ok' }) },
    middleware: [
      hostCheck(server, options.allowedHosts ?? []),
      // The page's files hold no data: they load without the token, after the Host check.
      inspectorAssets({ assetsDir: options.inspectorDir ?? defaultInspectorDir, miss: 'next' }),
      guard,
    ],
    routes: {
      ...runRoutes({
        policy,
        deliveries,
        log,
        maxRuns: options.maxRuns ?? DEFAULT_MAX_RUNS,
        maxRunSeconds: options.maxRunSeconds ?? DEFAULT_MAX_RUN_SECONDS,
      }),
      ...readRoutes(deliveries, options.allowedTargets),
    },
    onError: (error, req, res) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendHttpError(res, error);
      if (error instanceof SenderConfigError)
        return sendError(res, 400, error.code, error.message, error.details);
      if (error instanceof WebhookConfigError) return sendError(res, 400, error.code, error.message);
      log(
        `internal error on ${req.method} ${req.url ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      sendError(res, 500, 'internal_error', INTERNAL_ERROR_MESSAGE);
    },
    answerWriteMs: ANSWER_WRITE_MS,
  });

  return server;
}
