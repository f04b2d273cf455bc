// The receiver service as an Express app: the webhook route, the read API, health and metrics,
// plus the in-process Processor. Tests drive this factory; main.ts only adds config and listen().
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, setNoStoreHeaders } from '@webhook-contracts/http-kit';
import type { Health, SpoolHealth } from '@webhook-contracts/schema';
import type { SecretInput } from '@webhook-contracts/webhooks';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ContractMode } from './config.js';
import { Forwarder, type ForwarderOptions } from './forwarding/Forwarder.js';
import { ForwardingMetrics } from './forwarding/ForwardingMetrics.js';
import { createReadApiRouter, readApiRoutePatterns } from './http/createReadApiRouter.js';
import { createWebhookHandler, createWebhookRouter } from './http/createWebhookRouter.js';
import { inspectorRoutes } from './http/inspectorRoutes.js';
import { routeLabeller } from './http/routeLabeller.js';
import { StoreHealthProbe } from './http/StoreHealthProbe.js';
import { type Logger, silentLogger } from './logging/logger.js';
import type { EventHandlers } from './processing/EventHandlers.js';
import { Processor, type ProcessorOptions } from './processing/Processor.js';
import { ReceiverMetrics } from './ReceiverMetrics.js';
import type { Spool } from './spool/Spool.js';
import { SpoolDrainer } from './spool/SpoolDrainer.js';
import { SpoolingIngest } from './spool/SpoolingIngest.js';
import { SpoolMetrics } from './spool/SpoolMetrics.js';
import type { Store } from './store/core/Store.js';

export interface ReceiverOptions {
  store: Store;
  /** whsec_… or ws_… secret(s) (v1) and whpk_… public keys (v1a); several while rotating. */
  secret: SecretInput | readonly SecretInput[];
  /** Default `quarantine`. */
  contractMode?: ContractMode;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** Body bytes buffered at once, counted as they arrive; past it 503 `overloaded` (default 64 MiB). */
  maxInflightBodyBytes?: number;
  /** The slowest a body may arrive (default 1024 bytes/s over 5 s windows); slower: 408 `body_too_slow`. */
  minBodyRate?: { bytesPerSecond: number; windowMs: number };
  /** Default 300. */
  toleranceSeconds?: number;
  /** Read API bearer token; null/undefined turns the read API off. */
  apiToken?: string | null;
  /** GET /events/export running at once; one more answers 429 (default 4). */
  maxConcurrentExports?: number;
  logger?: Logger;
  /** Default: a fresh ReceiverMetrics (its own prom-client Registry). */
  metrics?: ReceiverMetrics;
  /**
   * Event handlers by type, each given the event narrowed to its type, e.g.
   * `{ 'payment.succeeded': async (event) => ({}) }`. The built-in lesson-progress handler for
   * course_lesson_interaction.completed stays unless you name that type; a valid event whose type
   * has no handler is kept as `unhandled`.
   */
  handlers?: EventHandlers;
  /** Processor tuning (poll interval, retries, leases); see ProcessorOptions. */
  processing?: Omit<ProcessorOptions, 'store' | 'handlers' | 'logger' | 'metrics' | 'now'>;
  /**
   * Forwarding to the team's brokers: the destinations (whose outbox rows the store writes: open it
   * with the same destinations' routes) and the forwarder's tuning. Off when absent or empty.
   */
  forwarding?: Omit<ForwarderOptions, 'outbox' | 'logger' | 'metrics' | 'now'>;
  /**
   * A local spool behind a PostgreSQL store (its opener closes it after close()): deliveries the
   * store has not committed within `spoolAfterMs` are spooled and answered 200, and a drainer moves
   * them into the store. Off when absent.
   */
  spool?: { spool: Spool; spoolAfterMs: number; drainBatchSize?: number };
  /** Longest /healthz waits for the store before answering 503 (default 2000 ms). */
  healthTimeoutMs?: number;
  /** Clock in ms since the epoch, for tests. */
  now?: () => number;
}

export interface Receiver extends Express {
  readonly store: Store;
  readonly processor: Processor;
  readonly metrics: ReceiverMetrics;
  /** The forwarder, when forwarding is on. */
  readonly forwarder: Forwarder | undefined;
  /** The spool drainer, when a spool is given. */
  readonly spoolDrainer: SpoolDrainer | undefined;
  /**
   * Stops the processor after it drains due work, the forwarder after its pages in flight and the
   * spool drainer after its batch in flight. The store and the spool stay open: their opener closes
   * them.
   */
  close(): Promise<void>;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The receiver's own routes; the read API declares its own (readApiRoutePatterns). */
const routes = { webhooks: '/webhooks', healthz: '/healthz', metrics: '/metrics' } as const;
const routeLabel = routeLabeller([...Object.values(routes), ...readApiRoutePatterns]);

const startedAt = Symbol('startedAt');
const routeOf = Symbol('route');
/** A response with its request's start time and route label, for the duration histogram. */
type Timed = ServerResponse & { [startedAt]?: number; [routeOf]?: string };

/** Express's own entry (not in its type declarations): what `app(req, res)` and `listen` call. */
type Handle = (req: IncomingMessage, res: ServerResponse, callback?: (error?: unknown) => void) => void;
interface HandledApp {
  handle: Handle;
}

function expressHandle(app: Express): Handle {
  const handle = (app as unknown as HandledApp).handle;
  if (typeof handle !== 'function') throw new TypeError('express: app.handle is missing');
  return handle.bind(app);
}

/**
 * Builds the receiver app and starts its processor.
 *
 * @example
 * const store = await openStore(config.databaseUrl);
 * const receiver = createReceiver({ store, secret: config.secrets, apiToken: config.apiToken });
 * const server = receiver.listen(3000);
 * // on shutdown: server.close(); await receiver.close(); await store.close();
 */
export function createReceiver(options: ReceiverOptions): Receiver {
  const { store } = options;
  const logger = options.logger ?? silentLogger();
  const metrics = options.metrics ?? new ReceiverMetrics();
  const now = options.now ?? Date.now;
  if (store.commitCount !== undefined) metrics.watchStoreCommits(() => store.commitCount ?? 0);
  const processor = new Processor({
    ...options.processing,
    store,
    logger,
    metrics,
    now,
    ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
  });

  const destinations = options.forwarding?.destinations ?? [];
  const outbox = store.outbox;
  if (destinations.length > 0 && outbox === undefined) {
    throw new TypeError('forwarding needs a store with an outbox (SqliteStore or PostgresStore)');
  }
  const forwardingMetrics =
    outbox === undefined || destinations.length === 0
      ? undefined
      : new ForwardingMetrics(
          metrics.registry,
          outbox,
          destinations.map((d) => d.name),
        );
  const forwarder =
    outbox === undefined || forwardingMetrics === undefined
      ? undefined
      : new Forwarder({
          ...options.forwarding!,
          outbox,
          logger,
          now,
          metrics: forwardingMetrics,
        });

  const spool = options.spool?.spool;
  const spoolMetrics = spool === undefined ? undefined : new SpoolMetrics(metrics.registry, spool, now);
  const spoolDrainer =
    spool === undefined
      ? undefined
      : new SpoolDrainer({
          spool,
          store,
          logger,
          ...(spoolMetrics === undefined ? {} : { metrics: spoolMetrics }),
          ...(options.spool?.drainBatchSize === undefined ? {} : { batchSize: options.spool.drainBatchSize }),
          onDrained: () => processor.wake(),
        });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const webhookOptions = {
    secret: options.secret,
    store,
    ...(spool === undefined
      ? {}
      : {
          ingest: new SpoolingIngest({
            store,
            spool,
            spoolAfterMs: options.spool!.spoolAfterMs,
            ...(spoolMetrics === undefined ? {} : { metrics: spoolMetrics }),
          }),
        }),
    processor,
    logger,
    metrics,
    now,
    ...(options.contractMode === undefined ? {} : { contractMode: options.contractMode }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.maxInflightBodyBytes === undefined
      ? {}
      : { maxInflightBodyBytes: options.maxInflightBodyBytes }),
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
    ...(options.minBodyRate === undefined ? {} : { minBodyRate: options.minBodyRate }),
  };
  const receiveWebhook = createWebhookHandler(webhookOptions);

  // Every request is timed and labelled before anything else. POST /webhooks (the hot path) then
  // goes straight to its handler, without Express: its request setup (a final handler per request,
  // req and res re-prototyped) and its routing cost as much as the handler's own work before the
  // store, and the handler uses only Node's request and response. Everything else, other methods on
  // /webhooks included (405), goes through Express as usual.
  // One listener for every response (a response finishes once), reading what the request left on it:
  // no closure per request.
  function observeFinished(this: Timed): void {
    const seconds = (performance.now() - this[startedAt]!) / 1000;
    metrics.observeRequest(this.req.method ?? 'GET', this[routeOf]!, this.statusCode, seconds);
  }
  const viaExpress = expressHandle(app);
  (app as unknown as HandledApp).handle = (req, res: Timed, callback) => {
    res[startedAt] = performance.now();
    // Every answer is private and dynamic; the inspector's hashed files set their own caching.
    setNoStoreHeaders(res);
    const route = routeLabel(pathOf(req.url ?? '/'));
    res[routeOf] = route;
    res.on('finish', observeFinished);
    if (route !== routes.webhooks || req.method !== 'POST') {
      viaExpress(req, res, callback);
      return;
    }
    try {
      receiveWebhook(req, res);
    } catch (error) {
      // What Express's error handler below would have answered.
      logger.error({ err: error }, 'unexpected error');
      sendError(res, 500, 'internal_error', 'Unexpected error in the receiver; it has been logged');
    }
  };

  app.use(routes.webhooks, createWebhookRouter({ ...webhookOptions, handler: receiveWebhook }));

  // Bounded whatever the database does (a frozen one would hold every probe's socket), and one
  // store ping at a time however many load balancers ask.
  const storeHealth = new StoreHealthProbe(() => store.ping(), {
    ...(options.healthTimeoutMs === undefined ? {} : { timeoutMs: options.healthTimeoutMs }),
    onFailure: (health) =>
      health.failure === 'error'
        ? logger.error({ err: health.cause }, 'health check: the store answered with an error')
        : logger.warn(health.message),
  });
  const spoolHealth = (): SpoolHealth | undefined => {
    if (spool === undefined) return undefined;
    const oldest = spool.oldestReceivedAt;
    return {
      depth: spool.depth,
      bytes: spool.bytes,
      max_bytes: spool.maxBytes,
      oldest_age_seconds: oldest === null ? null : Math.max(0, (now() - oldest) / 1000),
      accepting: spool.accepting,
    };
  };
  app.get(routes.healthz, async (_req, res) => {
    const health = await storeHealth.check();
    const spooled = spoolHealth();
    // The receiver is taking deliveries while the store answers, or while the spool has room.
    if (health.ok || spooled?.accepting === true) {
      // Destinations are reported, never judged: a broker outage does not stop deliveries.
      const forwarding = forwarder?.destinationHealth();
      res.json({
        status: health.ok ? 'ok' : 'spooling',
        ...(forwarding === undefined ? {} : { forwarding }),
        ...(spooled === undefined ? {} : { spool: spooled }),
      } satisfies Health);
      return;
    }
    sendError(res, 503, 'store_unavailable', health.message, [
      { check: 'store', failure: health.failure },
      ...(spooled === undefined ? [] : [{ check: 'spool', failure: 'full', ...spooled }]),
    ]);
  });

  app.get(routes.metrics, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use('/inspect', inspectorRoutes({ enabled: (options.apiToken ?? null) !== null }));

  app.use(
    createReadApiRouter({
      store,
      apiToken: options.apiToken ?? null,
      processor,
      logger,
      metrics,
      now,
      ...(forwarder === undefined || outbox === undefined
        ? {}
        : {
            forwarding: {
              outbox,
              destinations: destinations.map((d) => d.name),
              activity: async () => {
                const counts = await forwardingMetrics?.counts();
                return forwarder.destinationHealth().map((h) => ({
                  ...h,
                  forwarded: counts?.get(h.destination)?.forwarded ?? 0,
                  failed: counts?.get(h.destination)?.failed ?? 0,
                  deadLettered: counts?.get(h.destination)?.deadLettered ?? 0,
                }));
              },
            },
          }),
      ...(options.maxConcurrentExports === undefined
        ? {}
        : { maxConcurrentExports: options.maxConcurrentExports }),
    }),
  );

  app.use((req: Request, res: Response) => {
    sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}`);
  });

  // Express's own errors (a malformed URL, say) come here: answer in our shape, 4xx as given.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, 'bad_request', (error as Error).message);
      return;
    }
    logger.error({ err: error }, 'unexpected error');
    sendError(res, 500, 'internal_error', 'Unexpected error in the receiver; it has been logged');
  });

  processor.start();
  forwarder?.start();
  spoolDrainer?.start();
  return Object.assign(app, {
    store,
    processor,
    metrics,
    forwarder,
    spoolDrainer,
    close: async () => {
      await Promise.all([processor.stop(), forwarder?.stop(), spoolDrainer?.stop()]);
    },
  });
}
