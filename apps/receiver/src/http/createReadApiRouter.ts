// The token-protected read API: the inbox (events), one event with its payload, replay, and the
// routes of each registered read model (lesson progress, …), behind the same token and headers.

import { type BearerFailure, HttpError, sendError, setNoStoreHeaders } from '@webhook-contracts/http-kit';
import {
  type EventPage,
  type EventRecord,
  type EventSummary as EventSummaryBody,
  type ForwardingState,
  type ForwardQueued,
  maxFilterValues,
  type ReplayQueued,
} from '@webhook-contracts/schema';
import { type Request, type Response, Router } from 'express';
import { StoreError } from '../errors.js';
import { deadLetterPaths, deadLetterRoutes } from '../forwarding/deadLetterRoutes.js';
import {
  forwardingSummaryPath,
  forwardingSummaryRoute,
  type ReadApiForwarding,
} from '../forwarding/forwardingSummaryRoute.js';
import type { DestinationDelivery } from '../forwarding/outbox/ForwardOutbox.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { RateLimitedLog } from '../logging/RateLimitedLog.js';
import type { ReceiverMetrics } from '../ReceiverMetrics.js';
import type { AnyReadModel } from '../readModels/ReadModel.js';
import { readModels as registeredReadModels } from '../readModels/readModels.js';
import type { EventStatus, EventSummary, Store, StoredEvent } from '../store/core/Store.js';
import { eventStatuses, maxExportPage } from '../store/core/Store.js';
import { readApiAuth } from './readApiAuth.js';
import { checkPathParameter, parseLimit, parseTimeWindow, readQuery } from './readApiParameters.js';
import { storeErrorStatus } from './storeErrorStatus.js';
import {
  defaultExportPageBytes,
  defaultExportPageSize,
  defaultExportStallMs,
  writeEventExport,
} from './writeEventExport.js';

export interface ReadApiOptions {
  store: Store;
  /** null turns the API off (403 read_api_disabled). */
  apiToken: string | null;
  processor?: { wake(): void };
  logger?: Logger;
  /** Counts refused logins (webhook_read_api_auth_failures_total). */
  metrics?: ReceiverMetrics;
  now?: () => number;
  /** Events per store query in GET /events/export, 1 to maxExportPage (default 200). */
  exportPageSize?: number;
  /** GET /events/export disconnects a client that reads nothing for this long (default 60 s). */
  exportStallMs?: number;
  /** Body bytes per store query in GET /events/export (default defaultExportPageBytes, 1 MiB). */
  exportPageBytes?: number;
  /** Exports running at once; one more is answered 429 (default defaultMaxConcurrentExports). */
  maxConcurrentExports?: number;
  /** Most JSON bytes of the items of one GET /events or read-model page (default maxPageBytes). */
  maxPageBytes?: number;
  /** The read models whose routes are served (default: the registered ones). */
  readModels?: readonly AnyReadModel[];
  /**
   * Forwarding, when on: GET /events/{id} shows each destination's state, POST /events/{id}/forward
   * re-forwards, and the /forwarding routes show the backlog and the dead letters.
   */
  forwarding?: ReadApiForwarding;
}

/**
 * Most bytes of JSON the items of one list page take (GET /events, GET /progress): a page ends
 * early, with a `next_cursor`, rather than pass it. Rows are small (an event summary is about
 * 300 bytes, its contract errors at most about 10 KB), so a page of 500 fits unless rows carry
 * something unusual (a type or id the sender made huge, a user with thousands of lessons). A row
 * larger than this is still returned, alone on its page: its size is bounded by MAX_BODY_BYTES, and
 * cutting or summarising it would show something other than what was stored.
 */
export const maxPageBytes = 1024 * 1024;

/** GET /events/export running at once, unless configured (MAX_CONCURRENT_EXPORTS). */
export const defaultMaxConcurrentExports = 4;

/** Seconds a client told 429 too_many_exports is asked to wait. */
const exportRetryAfterSeconds = 5;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const utf8 = new TextDecoder('utf-8', { fatal: true });

function summaryJson(e: EventSummary): EventSummaryBody {
  return {
    webhook_id: e.webhookId,
    type: e.type,
    status: e.status,
    errors: e.errors,
    error_count: e.errorCount,
    errors_truncated: e.errorCount !== null && e.errors !== null && e.errorCount > e.errors.length,
    deliveries_seen: e.deliveriesSeen,
    received_at: iso(e.receivedAt),
    processed_at: isoOrNull(e.processedAt),
    attempts: e.attempts,
    last_error: e.lastError,
    next_attempt_at: isoOrNull(e.nextAttemptAt),
  };
}

/** An item's size on a page: its JSON and the comma before the next. */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value)) + 1;
}

/**
 * One event as JSON text. A JSON body is spliced in verbatim as `payload` (no re-serialisation, so
 * it is byte-for-byte what arrived); anything else is shown as `payload_text`.
 */
export function eventRecordJson(e: StoredEvent, forwarding?: readonly DestinationDelivery[]): string {
  // EventRecord without its payload, which is added as text below.
  const fields: EventRecord = {
    ...summaryJson(e),
    headers: e.headers,
    ...(forwarding === undefined ? {} : { forwarding: forwarding.map(forwardingJson) }),
  };
  const record = JSON.stringify(fields);
  let text: string | undefined;
  try {
    text = utf8.decode(e.body);
    JSON.parse(text);
  } catch {
    return `${record.slice(0, -1)},"payload_text":${JSON.stringify(e.body.toString('utf8'))}}`;
  }
  return `${record.slice(0, -1)},"payload":${text}}`;
}

function forwardingJson(d: DestinationDelivery): ForwardingState {
  return {
    destination: d.destination,
    state: d.state,
    attempts: d.attempts,
    last_error: d.lastError,
    next_attempt_at: isoOrNull(d.nextAttemptAt),
    forwarded_at: isoOrNull(d.forwardedAt),
  };
}

function parseStatus(value: string | undefined): EventStatus | undefined {
  if (value !== undefined && !(eventStatuses as readonly string[]).includes(value)) {
    throw new HttpError(
      400,
      'invalid_query',
      `status is "${value.slice(0, 64)}": expected one of ${eventStatuses.join(', ')}`,
    );
  }
  return value as EventStatus | undefined;
}

/** A comma list (`a,b`) of at most maxFilterValues values; empty items are dropped. */
function parseList(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = [...new Set(value.split(',').filter((v) => v !== ''))];
  if (items.length > maxFilterValues) {
    throw new HttpError(
      400,
      'invalid_query',
      `${name} lists ${items.length} values: at most ${maxFilterValues}`,
    );
  }
  return items.length === 0 ? undefined : items;
}

/** The read API's routes, as declared below and as labelled in the request metrics. */
export const readApiRoutes = {
  events: '/events',
  export: '/events/export',
  event: '/events/:id',
  replay: '/events/:id/replay',
  forward: '/events/:id/forward',
} as const;

/** Every route pattern of the read API, the registered read models' included, for request labels. */
export const readApiRoutePatterns: readonly string[] = [
  ...Object.values(readApiRoutes),
  forwardingSummaryPath,
  ...Object.values(deadLetterPaths),
  ...registeredReadModels.flatMap((m) => m.routePaths),
];

/**
 * @example
 * app.use(createReadApiRouter({ store, apiToken: process.env.RECEIVER_API_TOKEN ?? null }));
 * // GET /events?status=failed, GET /events/export?since=2026-01-01T00:00:00Z, GET /events/msg_1,
 * // POST /events/msg_1/replay, and each read model's routes (GET /progress?user_id=user_1, …)
 */
export function createReadApiRouter(options: ReadApiOptions): Router {
  const { store, processor } = options;
  const models = options.readModels ?? registeredReadModels;
  // Each route's first segment (`/events`, `/progress`, `/memberships`), once: every path under it
  // is guarded.
  const protectedPaths = [
    ...new Set(
      [readApiRoutes.events, deadLetterPaths.list, ...models.flatMap((m) => m.routePaths)].map(
        (p) => `/${p.split('/')[1]}`,
      ),
    ),
  ];
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const exportPageSize = options.exportPageSize ?? defaultExportPageSize;
  if (!Number.isInteger(exportPageSize) || exportPageSize < 1 || exportPageSize > maxExportPage) {
    throw new RangeError(`exportPageSize is ${exportPageSize}: expected 1 to ${maxExportPage}`);
  }
  const exportStallMs = options.exportStallMs ?? defaultExportStallMs;
  const exportPageBytes = options.exportPageBytes ?? defaultExportPageBytes;
  const maxConcurrentExports = options.maxConcurrentExports ?? defaultMaxConcurrentExports;
  const pageBytes = options.maxPageBytes ?? maxPageBytes;
  for (const [name, value] of Object.entries({
    exportPageBytes,
    maxConcurrentExports,
    maxPageBytes: pageBytes,
  })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} is ${value}: expected a whole number of at least 1`);
    }
  }
  let runningExports = 0;
  const router = Router();
  // Refused logins are counted, and logged at a bounded rate: a client that keeps guessing would
  // otherwise write a line per attempt.
  const refusedLogins = new RateLimitedLog(logger);
  const onRefused = (reason: BearerFailure, req: Request) => {
    options.metrics?.countReadApiAuthFailure(reason);
    refusedLogins.log(
      'read_api_login_refused',
      'warn',
      { reason, method: req.method, remoteAddress: req.socket.remoteAddress },
      'read API login refused',
    );
  };
  const guard = readApiAuth(options.apiToken, onRefused);
  // Every answer of the read API, errors included, is private and never sniffed.
  router.use(protectedPaths, (_req, res, next) => {
    setNoStoreHeaders(res);
    next();
  });
  router.use(protectedPaths, guard);
  // The webhook-id of /events/:id and /events/:id/replay, checked before anything decodes it.
  router.use(readApiRoutes.events, checkPathParameter('webhook_id'));

  const route =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response): Promise<void> =>
      fn(req, res).catch((error: unknown) => {
        if (
          error instanceof HttpError ||
          (error instanceof StoreError && storeErrorStatus(error.code) === 400)
        ) {
          sendError(
            res,
            error instanceof HttpError ? error.status : storeErrorStatus(error.code),
            error.code,
            error.message,
            error instanceof HttpError ? error.details : undefined,
          );
          return;
        }
        logger.error({ err: error }, 'read API request failed');
        if (error instanceof StoreError) {
          res.set('retry-after', '5');
          sendError(res, 503, error.code, 'The event store is not answering: retry later');
          return;
        }
        sendError(res, 500, 'internal_error', 'Unexpected error in the receiver; it has been logged');
      });

  router.get(
    readApiRoutes.events,
    route(async (req, res) => {
      const query = readQuery(req.originalUrl, { type: 'one', cursor: 'one', limit: 'one', status: 'one' });
      const { type, cursor } = query;
      const limit = parseLimit(query.limit);
      const status = parseStatus(query.status);
      const page = await store.listEvents({
        limit,
        ...(type === undefined ? {} : { type }),
        ...(status === undefined ? {} : { status }),
        ...(cursor === undefined ? {} : { cursor }),
        budget: { maxBytes: pageBytes, sizeOf: (e) => jsonBytes(summaryJson(e)) },
      });
      res.json({ events: page.events.map(summaryJson), next_cursor: page.nextCursor } satisfies EventPage);
    }),
  );

  // Before /events/:id, which would otherwise take "export" for an id.
  router.get(
    readApiRoutes.export,
    route(async (req, res) => {
      const query = readQuery(req.originalUrl, { type: 'list', status: 'list', since: 'one', until: 'one' });
      const types = parseList(query.type, 'type');
      const statuses = parseList(query.status, 'status')?.map((s) => parseStatus(s) as EventStatus);
      const { since, until } = parseTimeWindow(query);
      // Each export holds a page of bodies and a socket's buffers until its client has read them.
      if (runningExports >= maxConcurrentExports) {
        res.set('retry-after', String(exportRetryAfterSeconds));
        throw new HttpError(
          429,
          'too_many_exports',
          `${maxConcurrentExports} exports are running (MAX_CONCURRENT_EXPORTS): retry once one has finished`,
        );
      }
      runningExports++;
      try {
        await writeEventExport(
          res,
          store,
          {
            ...(types === undefined ? {} : { types }),
            ...(statuses === undefined ? {} : { statuses }),
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
          },
          { pageSize: exportPageSize, pageBytes: exportPageBytes, stallMs: exportStallMs, logger },
        );
      } finally {
        runningExports--;
      }
    }),
  );

  router.get(
    readApiRoutes.event,
    route(async (req, res) => {
      const id = String(req.params['id']);
      const event = await store.getEvent(id);
      if (event === null) throw notFound(id);
      const forwarding = await options.forwarding?.outbox.deliveriesOf(id);
      res.type('application/json').send(eventRecordJson(event, forwarding));
    }),
  );

  router.post(
    readApiRoutes.forward,
    route(async (req, res) => {
      const id = String(req.params['id']);
      const { destination } = readQuery(req.originalUrl, { destination: 'one' });
      const forwarding = options.forwarding;
      if (destination !== undefined && !forwarding?.destinations.includes(destination)) {
        throw new HttpError(
          400,
          'invalid_query',
          `destination is "${destination.slice(0, 64)}": expected one of the configured destinations (${forwarding?.destinations.join(', ') || 'none: forwarding is off'})`,
        );
      }
      const event = await store.getEvent(id);
      if (event === null) throw notFound(id);
      if (forwarding === undefined || forwarding.destinations.length === 0) {
        throw new HttpError(
          409,
          'not_forwardable',
          'Forwarding is off: set FORWARD_NATS_URL, FORWARD_AMQP_URL or FORWARD_HTTP_URL',
        );
      }
      const destinations = destination === undefined ? forwarding.destinations : [destination];
      if ((await forwarding.outbox.reforward(id, destinations, now())) === 0) {
        throw new HttpError(
          409,
          'not_forwardable',
          `Event ${id} is ${event.status}${event.type === null ? ' and has no type' : ''}: only events that passed the contract (or are of an unknown type) are forwarded; replay it once the contract accepts it`,
        );
      }
      logger.info({ webhookId: id, destinations }, 'event queued for forwarding again');
      res
        .status(202)
        .json({ status: 'queued', webhook_id: id, destinations: [...destinations] } satisfies ForwardQueued);
    }),
  );

  router.post(
    readApiRoutes.replay,
    route(async (req, res) => {
      const id = String(req.params['id']);
      if (!(await store.requeue(id, now()))) throw notFound(id);
      processor?.wake();
      logger.info({ webhookId: id }, 'event queued for replay');
      res.status(202).json({ status: 'queued', webhook_id: id } satisfies ReplayQueued);
    }),
  );

  forwardingSummaryRoute(router, { forwarding: options.forwarding, route, now });
  deadLetterRoutes(router, { forwarding: options.forwarding, route, logger, now });

  for (const model of models) {
    model.routes(router, {
      reader: store.reader(model),
      route,
      budget: (toJson) => ({ maxBytes: pageBytes, sizeOf: (item) => jsonBytes(toJson(item)) }),
    });
  }

  return router;
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'event_not_found', `No event with webhook-id "${id}" is stored`);
}
