// `mock-sender serve`: the sender as an HTTP service for staging pipelines. A pipeline step POSTs
// what it would pass on the command line and gets the summary back; GET /deliveries shows what
// happened recently. It holds a staging receiver's secret, so every door is shut by default: a
// bearer token on every route but /healthz, a Host check against DNS rebinding, JSON-only bodies
// (a browser cannot send those cross-site without a preflight, which gets no CORS answer), bounded
// options, answers and runs (SENDER_MAX_RUN_SECONDS), the service's own secret signs only for the
// allowed targets and its read token goes only to the allowed sources.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { knownEventTypes } from '@webhook-contracts/schema';
import { WebhookConfigError } from '@webhook-contracts/webhooks';
import { type CheckReport, check } from '../check/check.js';
import { SenderConfigError } from '../errors.js';
import {
  type ParsedReplayRequest,
  parseCheckRequest,
  parseReplayRequest,
  parseSendRequest,
} from '../options/parseRequestOptions.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { REQUEST_LIMITS } from '../options/SendRequest.js';
import { targetUrl } from '../options/targetUrl.js';
import { loadExamples } from '../payloads/examples.js';
import { replay, validateReplayOptions } from '../replay/replay.js';
import type { SendSummary } from '../report/summary.js';
import { plannedEvents } from '../sending/eventSource.js';
import { DEFAULT_RETRY_SCHEDULE, send, validateSendOptions } from '../sending/send.js';
import { type HostName, hostAllowed } from './allowedHosts.js';
import { bearerTokenMatches } from './bearerToken.js';
import { DeliveryLog } from './DeliveryLog.js';
import { HttpError } from './HttpError.js';
import { inspectorRoutes } from './inspectorRoutes.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './jsonDepth.js';
import { type RunKind, RunRegistry, type RunVerdict } from './RunRegistry.js';
import { parseRunId } from './runId.js';
import { refuseOverlongSchedule } from './runSchedule.js';
import { logLine } from './serverLog.js';
import { DEFAULT_MAX_RUN_SECONDS, DEFAULT_MAX_RUNS } from './serveSettings.js';
import { type TargetPrefix, targetAllowed } from './targetAllowList.js';

export interface SenderServerOptions {
  /** Required as `Authorization: Bearer <token>` on every route but /healthz. */
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
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Connections at once: past it a new one is closed at once, before it can hold a file descriptor. */
export const MAX_CONNECTIONS = 256;
/** How long a client may take to read an answer before its connection is closed. */
const ANSWER_WRITE_MS = 30_000;
/** How much of a request path a 404 message repeats. */
const ECHOED_PATH_CHARS = 100;
/** Seconds a client is asked to wait when every run slot is taken. */
const RETRY_AFTER_SECONDS = 5;
const ROUTES = [
  'GET /healthz',
  'POST /send',
  'POST /replay',
  'POST /check',
  'GET /deliveries',
  'GET /examples',
  'GET /targets',
  'GET /runs/:id',
  'DELETE /runs/:id',
];

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
  // A client that stops reading cannot keep the connection and the answer in memory for ever. A
  // timer, not the socket's idle timeout, which would outlive this answer on a kept-alive socket.
  const deadline = setTimeout(() => res.destroy(), ANSWER_WRITE_MS);
  res.once('close', () => clearTimeout(deadline));
}

/** The request target as a URL; a target that is no path (`GET http://[ …`) is the client's 400. */
function requestUrl(req: IncomingMessage): URL {
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

/** `application/json`, optionally with a UTF-8 charset: anything else is 415. */
function requireJson(req: IncomingMessage): void {
  const [type = '', ...parameters] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim());
  const charsetOk = parameters.every((p) => /^charset="?utf-8"?$/i.test(p));
  if (type.toLowerCase() !== 'application/json' || !charsetOk) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'the body must be sent as content-type: application/json (charset utf-8 if any)',
    );
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw bodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw bodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  if (jsonTooDeep(text)) {
    throw new HttpError(
      400,
      'invalid_json',
      `the request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels: no option needs that`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not JSON: send an object of options');
  }
}

const bodyTooLarge = () =>
  new HttpError(413, 'body_too_large', 'the request body exceeds 1 MiB: send options, not payloads');

const INTERNAL_ERROR_MESSAGE = 'the service failed and logged why: tell its operator';

/** What a run reports when SENDER_MAX_RUN_SECONDS stopped it. */
export interface RunStopped {
  code: 'run_time_limit';
  message: string;
}

const stoppedOf = (result: unknown): RunStopped | undefined =>
  typeof result === 'object' && result !== null ? (result as { stopped?: RunStopped }).stopped : undefined;

function errorBody(code: string, message: string, details?: unknown[]) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/**
 * Builds the serve HTTP server (not yet listening).
 *
 * @example
 * const server = createSenderServer({ token: process.env.SENDER_API_TOKEN!, allowedTargets: [] });
 * server.listen(4000, '127.0.0.1');
 */
export function createSenderServer(options: SenderServerOptions): Server {
  if (options.token === '')
    throw new SenderConfigError('invalid_option', 'the serve token must not be empty');
  const deliveries = new DeliveryLog(options.historySize ?? 1000);
  const log = options.log ?? ((text: string) => logLine(text));
  const env = options.env ?? process.env;
  const allowedHosts = options.allowedHosts ?? [];
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  const maxRunSeconds = options.maxRunSeconds ?? DEFAULT_MAX_RUN_SECONDS;
  let runs = 0;
  const registry = new RunRegistry();
  const serveInspector = inspectorRoutes();

  /** The target, refused unless SENDER_ALLOWED_TARGETS allows it. */
  const checkTarget = (to: string): void => {
    if (options.allowedTargets === undefined) return;
    let url: URL;
    try {
      url = new URL(to);
    } catch {
      return; // send()/check() report the unusable URL with their own message.
    }
    if (!targetAllowed(url, options.allowedTargets)) {
      throw new HttpError(
        403,
        'target_not_allowed',
        `${url.origin}${url.pathname} is not under SENDER_ALLOWED_TARGETS: ask the operator to add it`,
      );
    }
  };

  /**
   * The replay source, refused unless SENDER_ALLOWED_SOURCES or SENDER_ALLOWED_TARGETS lists it:
   * serve fetches what it is told, so without a list it would be a proxy into its own network.
   * Only a source under SENDER_ALLOWED_SOURCES is trusted with the service's read token: a target
   * is somewhere runs may deliver to, which says nothing about who may read production's events.
   */
  const checkSource = (from: string): 'trusted' | 'target' => {
    const url = new URL(from);
    if (targetAllowed(url, options.allowedSources ?? [])) return 'trusted';
    if (targetAllowed(url, options.allowedTargets ?? [])) return 'target';
    throw new HttpError(
      403,
      'source_not_allowed',
      `${url.origin}${url.pathname} is not under SENDER_ALLOWED_SOURCES or SENDER_ALLOWED_TARGETS: ask the operator to add it`,
    );
  };

  /** The request's own secret, or the service's when it may sign for this target. */
  const secretsFor = (given: string | string[] | undefined): string[] => {
    if (given !== undefined) return typeof given === 'string' ? resolveSecrets(given, {}) : given;
    const own = resolveSecrets(undefined, env);
    if (options.allowedTargets === undefined) {
      throw new HttpError(
        403,
        'target_not_allowed',
        "the service's WEBHOOK_SECRET signs only for SENDER_ALLOWED_TARGETS, which is not set: send your own `secret` or set SENDER_ALLOWED_TARGETS",
      );
    }
    return own;
  };

  /** Runs `work` with a signal that aborts when the client goes away before its answer. */
  const untilClientLeaves = async <T>(
    res: ServerResponse,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    res.once('close', onClose);
    try {
      return await work(controller.signal);
    } finally {
      res.off('close', onClose);
    }
  };

  /**
   * Bounds a run by SENDER_MAX_RUN_SECONDS: at the limit it is aborted like a cancelled one (its
   * result is what was done by then) and its result says it was stopped.
   */
  const timeLimited =
    (work: PreparedRun['work']): PreparedRun['work'] =>
    async (signal, progress) => {
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), maxRunSeconds * 1000);
      try {
        const result = await work(AbortSignal.any([signal, limit.signal]), progress);
        if (!limit.signal.aborted || signal.aborted) return result;
        const stopped: RunStopped = {
          code: 'run_time_limit',
          message: `stopped at SENDER_MAX_RUN_SECONDS (${maxRunSeconds} s); the counts are what was done by then: split the run or ask the operator to raise the setting`,
        };
        return { ...(result as object), stopped };
      } finally {
        clearTimeout(timer);
      }
    };

  /** A background run's failure, in the error body's terms; anything unexpected is logged, not shown. */
  const describeError = (error: unknown): { code: string; message: string } => {
    if (
      error instanceof SenderConfigError ||
      error instanceof WebhookConfigError ||
      error instanceof HttpError
    ) {
      return { code: error.code, message: error.message };
    }
    log(
      `internal error in a background run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /healthz') return json(res, 200, { status: 'ok' });

    // A pipe or socket-file listener has no port: only SENDER_ALLOWED_HOSTS names it then.
    const address = serverRef.address();
    const bound = typeof address === 'object' && address !== null ? address : { address: '', port: -1 };
    if (!hostAllowed(req.headers.host, { host: bound.address, port: bound.port }, allowedHosts)) {
      // The header is not repeated: an answer carries nothing a client made up.
      throw new HttpError(
        421,
        'host_not_allowed',
        'the Host header does not name this service: use its listen address or a name in SENDER_ALLOWED_HOSTS',
      );
    }
    if (serveInspector(req, res, url.pathname)) return;
    if (!bearerTokenMatches(req.headers.authorization, options.token)) {
      throw new HttpError(
        401,
        'unauthorized',
        'missing or wrong bearer token: send Authorization: Bearer $SENDER_API_TOKEN',
        undefined,
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (!ROUTES.includes(route) && !url.pathname.startsWith('/runs/')) {
      const samePath = ROUTES.filter((r) => r.endsWith(` ${url.pathname}`));
      if (samePath.length > 0) throw new HttpError(405, 'method_not_allowed', `use ${samePath.join(' or ')}`);
      const path =
        url.pathname.length > ECHOED_PATH_CHARS
          ? `${url.pathname.slice(0, ECHOED_PATH_CHARS)}…`
          : url.pathname;
      throw new HttpError(
        404,
        'not_found',
        `no route ${req.method} ${path}: the routes are ${ROUTES.join(', ')}`,
      );
    }
    if (route === 'GET /deliveries') {
      const limitParam = url.searchParams.get('limit');
      const limit = limitParam === null ? undefined : Number(limitParam);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new HttpError(400, 'invalid_request', 'limit must be a positive integer', [
          { field: 'limit', message: 'must be a positive integer' },
        ]);
      }
      const page = deliveries.page(limit);
      return json(res, 200, page.truncated ? page : { deliveries: page.deliveries });
    }

    if (route === 'GET /examples') {
      const examples = loadExamples().map(({ name, event, kind, description }) => ({
        name,
        event,
        kind,
        description,
      }));
      return json(res, 200, { examples, event_types: knownEventTypes });
    }
    if (route === 'GET /targets') {
      const targets =
        options.allowedTargets?.map((t) => `${t.origin}${t.path === '/' ? '' : t.path}`) ?? null;
      return json(res, 200, { allowed_targets: targets });
    }

    if (url.pathname.startsWith('/runs/')) return runRoute(req, res, parseRunId(url.pathname.slice(6)));

    requireJson(req);
    if (runs >= maxRuns) {
      throw new HttpError(
        429,
        'too_many_runs',
        `${maxRuns} runs are in progress (SENDER_MAX_RUNS): retry after one ends`,
        undefined,
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
    runs++;
    let background = false;
    try {
      const body = await readJson(req);
      const run =
        route === 'POST /send'
          ? prepareSend(parseSendRequest(body))
          : route === 'POST /replay'
            ? prepareReplay(parseReplayRequest(body))
            : prepareCheck(parseCheckRequest(body));
      const work = timeLimited(run.work);
      if (run.wait) return json(res, 200, await untilClientLeaves(res, (signal) => work(signal, () => {})));
      // In the background the run outlives this request: its slot is freed when it settles.
      background = true;
      const verdict = (result: unknown): RunVerdict =>
        stoppedOf(result) !== undefined ? 'timed_out' : run.passed(result) ? 'succeeded' : 'failed';
      const view = registry.start(run.kind, work, verdict, describeError, () => {
        runs--;
      });
      return json(res, 202, { run: view }, { location: `/runs/${view.id}` });
    } finally {
      if (!background) runs--;
    }
  };

  interface PreparedRun {
    kind: RunKind;
    wait: boolean;
    work: (signal: AbortSignal, progress: (delivered: boolean) => void) => Promise<unknown>;
    passed: (result: unknown) => boolean;
  }

  const prepareSend = ({ secret, wait, ...request }: ReturnType<typeof parseSendRequest>): PreparedRun => {
    checkTarget(String(request.to));
    const secrets = secretsFor(secret);
    // Options are checked now, so a mistake is a 400 to this request, not a failed background run.
    validateSendOptions({ ...request, secret: secrets, optionNaming: 'fields' });
    refuseOverlongSchedule(
      {
        deliveries: (plannedEvents(request) ?? 0) * (request.duplicates ?? 1),
        rate: request.rate,
        retrySchedule: request.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
      },
      maxRunSeconds,
    );
    return {
      kind: 'send',
      wait: wait !== false,
      work: (signal, progress) =>
        send({
          ...request,
          secret: secrets,
          signal,
          optionNaming: 'fields',
          onWarning: (message) => log(`warning: ${message}`),
          onDelivery: (d) => {
            deliveries.add(d);
            progress(d.delivered);
          },
        }),
      passed: (summary) => {
        const { failed, notSent } = summary as SendSummary;
        return failed === 0 && notSent === 0;
      },
    };
  };

  const prepareReplay = ({ secret, wait, token, ...request }: ParsedReplayRequest): PreparedRun => {
    targetUrl(request.from, 'from');
    const source = checkSource(request.from);
    checkTarget(String(request.to));
    const secrets = secretsFor(secret);
    const serviceToken = source === 'trusted' ? env['RECEIVER_API_TOKEN'] : undefined;
    const sourceToken = token ?? serviceToken;
    validateReplayOptions({ ...request, secret: secrets, optionNaming: 'fields' });
    // A replay's deliveries are known only as its source streams: its retries are what is known now.
    refuseOverlongSchedule({ retrySchedule: request.retrySchedule ?? DEFAULT_RETRY_SCHEDULE }, maxRunSeconds);
    const { maxLines, maxBytes } = REQUEST_LIMITS.replay;
    return {
      kind: 'replay',
      wait: wait !== false,
      work: (signal, progress) =>
        replay({
          ...request,
          secret: secrets,
          ...(sourceToken === undefined || sourceToken === '' ? {} : { token: sourceToken }),
          signal,
          limits: { maxLines, maxBytes },
          optionNaming: 'fields',
          onDelivery: (d) => {
            deliveries.add(d);
            progress(d.delivered);
          },
        }),
      passed: (summary) => {
        const { failed, notSent } = summary as SendSummary;
        return failed === 0 && notSent === 0;
      },
    };
  };

  const prepareCheck = ({ secret, wait, ...request }: ReturnType<typeof parseCheckRequest>): PreparedRun => {
    checkTarget(String(request.to));
    const secrets = secretsFor(secret);
    targetUrl(String(request.to), 'to');
    return {
      kind: 'check',
      wait: wait !== false,
      work: (signal) => check({ ...request, secret: secrets, signal, optionNaming: 'fields' }),
      passed: (report) => (report as CheckReport).passed,
    };
  };

  const runRoute = (req: IncomingMessage, res: ServerResponse, id: string) => {
    if (req.method === 'GET') {
      const run = registry.get(id);
      if (run === undefined)
        throw new HttpError(
          404,
          'run_not_found',
          `no run ${id} (finished runs are kept for a while, then dropped)`,
        );
      return json(res, 200, { run });
    }
    if (req.method === 'DELETE') {
      if (!registry.cancel(id)) throw new HttpError(404, 'run_not_found', `no run ${id}`);
      return json(res, 202, { run: registry.get(id) });
    }
    throw new HttpError(405, 'method_not_allowed', 'use GET or DELETE /runs/:id');
  };

  // Node checks the header and request deadlines on this interval (30 s by default, which would
  // let a client that trickles its headers hold a socket three times longer than headersTimeout).
  const serverRef = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) {
        return json(res, error.status, errorBody(error.code, error.message, error.details), {
          ...error.headers,
        });
      }
      if (error instanceof SenderConfigError) {
        return json(res, 400, errorBody(error.code, error.message, error.details));
      }
      if (error instanceof WebhookConfigError) {
        return json(res, 400, errorBody(error.code, error.message));
      }
      log(
        `internal error on ${req.method} ${req.url ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      json(res, 500, errorBody('internal_error', INTERNAL_ERROR_MESSAGE));
    });
  });
  // A client that trickles its headers or body cannot hold a socket for long.
  serverRef.headersTimeout = 10_000;
  serverRef.requestTimeout = 30_000;
  serverRef.maxConnections = MAX_CONNECTIONS;
  return serverRef;
}
