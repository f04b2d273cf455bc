// POST / : verify the signature over the raw bytes, validate against the contract, store durably
// (group-committed, fsync'd) and only then answer 2xx; processing happens afterwards, from the store.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, writeJson } from '@webhook-contracts/http-kit';
import { type SecretInput, Webhook } from '@webhook-contracts/webhooks';
import { type Request, type Response, Router } from 'express';
import type { ContractMode } from '../config.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { RateLimitedLog } from '../logging/RateLimitedLog.js';
import type { ReceiverMetrics } from '../ReceiverMetrics.js';
import type { Store } from '../store/core/Store.js';
import { ReceiveSpan } from '../tracing/index.js';
import { type DeliveryAnswer, decideDelivery, decideStored } from './decideDelivery.js';
import { InflightBodyBudget } from './InflightBodyBudget.js';
import { MinBodyRate, type MinBodyRateOptions } from './MinBodyRate.js';
import { deliveryReader } from './readDelivery.js';

export interface WebhookRouterOptions {
  /**
   * The endpoint secret(s): whsec_… or ws_… (v1), whpk_… public keys (v1a); several while rotating or
   * migrating. Or pass a ready `webhook`.
   */
  secret?: SecretInput | readonly SecretInput[];
  webhook?: Webhook;
  store: Store;
  /**
   * Where a delivery to keep is written; default `store`. A SpoolingIngest puts the local spool
   * behind the store (PostgreSQL through an outage).
   */
  ingest?: Pick<Store, 'insertDelivery'>;
  /** `quarantine` (default): keep off-contract events and answer 200. `strict`: answer 422, store nothing. */
  contractMode?: ContractMode;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * Bytes of all bodies buffered at once (default 64 MiB), charged as they arrive. A chunk that does
   * not fit first cuts bodies that have been arriving for over a second (oldest first, answered 503
   * `overloaded`); if there is still no room, its own request is answered 503 `overloaded`. Pass a
   * shared budget to bound several handlers together.
   */
  maxInflightBodyBytes?: number | InflightBodyBudget;
  /**
   * The slowest a body may arrive once its headers are in (default 1024 bytes/s averaged over each
   * 5 s window): slower is answered 408 `body_too_slow` and the connection closed. Pass a shared
   * MinBodyRate to watch several handlers with one timer.
   */
  minBodyRate?: Omit<MinBodyRateOptions, 'now'> | MinBodyRate;
  /**
   * Accepted webhook-timestamp skew in seconds (default 300). The header precheck uses it even when
   * `webhook` is given, so keep the two equal.
   */
  toleranceSeconds?: number;
  /** Told about each new `received` event (e.g. the Processor, to start on it at once). */
  processor?: { wake(): void };
  logger?: Logger;
  metrics?: ReceiverMetrics;
  /** Retry-After seconds on 503 (default 5). */
  retryAfterSeconds?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/**
 * The POST handler of the webhook route on its own, without a Router around it: for an app that
 * dispatches POST /webhooks itself (createReceiver does, ahead of Express's routing, because this is
 * the hot path). Other methods are not its business: createWebhookRouter answers them with 405.
 *
 * Three steps: read the request (readDelivery), decide (decideDelivery, pure), answer (one writer);
 * the store is called between the decision to store and the answer.
 *
 * @example
 * const receive = createWebhookHandler({ secret: process.env.WEBHOOK_SECRET!, store, processor });
 * app.post('/hooks/whop', receive);
 */
export function createWebhookHandler(
  options: WebhookRouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = options.now ?? Date.now;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const webhook = options.webhook ?? new Webhook(options.secret ?? [], { toleranceSeconds, now });
  const { store, processor, metrics } = options;
  const ingest = options.ingest ?? store;
  const contractMode = options.contractMode ?? 'quarantine';
  const inflight =
    options.maxInflightBodyBytes instanceof InflightBodyBudget
      ? options.maxInflightBodyBytes
      : new InflightBodyBudget(options.maxInflightBodyBytes ?? 64 * 1024 * 1024);
  metrics?.watchInflightBodyBytes(() => inflight.used);
  metrics?.setSignatureSchemes(webhook.schemes);
  const reader = deliveryReader({
    webhook,
    maxBodyBytes: options.maxBodyBytes ?? 256 * 1024,
    inflight,
    minRate:
      options.minBodyRate instanceof MinBodyRate
        ? options.minBodyRate
        : new MinBodyRate(options.minBodyRate ?? { bytesPerSecond: 1024, windowMs: 5000 }),
    toleranceSeconds,
    now,
  });
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const logger = options.logger ?? silentLogger();
  // Refusals are what an attacker can cause at will: at most a few lines per kind and interval.
  const refusals = new RateLimitedLog(logger);

  /** The one place a delivery is answered: metrics, span, log, processor, headers, body. */
  function answer(res: ServerResponse, result: DeliveryAnswer, span: ReceiveSpan, hold = false): void {
    metrics?.countDelivery(result.outcome);
    span.answered({
      status: result.status,
      outcome: result.outcome,
      ...(result.duplicate === undefined ? {} : { duplicate: result.duplicate }),
      ...('error' in result.body ? { errorCode: result.body.error.code } : {}),
    });
    if (result.duplicate) metrics?.duplicatesSeen.inc();
    const { level, fields, message } = result.log;
    if (result.status >= 400) refusals.log(result.outcome, level, fields, message);
    else if (fields === undefined) logger[level](message);
    else logger[level](fields, message);
    if (result.wake) processor?.wake();
    if (result.retryAfter) res.setHeader('retry-after', retryAfter);
    if (result.exit?.closeConnection || hold) res.setHeader('connection', 'close');
    if (!hold) {
      writeJson(res, result.status, result.body);
      return;
    }
    // The whole answer goes out now, but the response ends (and Node closes the connection) only
    // when the caller says so: see receive().
    const text = JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.write(text);
  }

  async function receive(req: IncomingMessage, res: ServerResponse, span: ReceiveSpan): Promise<void> {
    const read = await reader.read(req);
    const decision = decideDelivery(read, contractMode);
    if (decision.kind === 'answer') {
      const early = decision.answer;
      if (!early.exit?.drain) {
        answer(res, early, span);
      } else if (
        res.shouldKeepAlive &&
        res.getHeader('connection') !== 'close' &&
        !early.exit.closeConnection
      ) {
        // Kept alive: answered at once, and the rest of the body is read so the next request can be.
        answer(res, early, span);
        reader.finish(req, read);
      } else {
        // A lingering close. Node closes a connection that will not be kept alive (`connection:
        // close`, HTTP/1.0, ours, or a shutdown's) as soon as its response ends, and closing it with
        // the body still arriving resets it, which wipes the answer on the client's side. So the
        // answer is written whole at once (the client can read it while it sends), the rest of the
        // body is read and discarded within the drain's bounds, and only then does the response end.
        answer(res, early, span, true);
        reader.finish(req, read, () => {
          if (!res.writableEnded && res.socket?.destroyed === false) res.end();
        });
      }
      return;
    }
    // The event keeps the receive span's traceparent (only when an SDK made one), so processing and
    // forwarding continue this trace.
    const { delivery } = decision.store;
    span.verified(delivery);
    const traceparent = span.traceparent();
    let stored: Parameters<typeof decideStored>[1];
    try {
      const outcome = await span.store(delivery, () =>
        ingest.insertDelivery(traceparent === undefined ? delivery : { ...delivery, traceparent }),
      );
      stored = { ok: true, outcome };
    } catch (error) {
      stored = { ok: false, error };
    }
    answer(res, decideStored(decision.store, stored), span);
  }

  return (req, res) => {
    const span = ReceiveSpan.start(req.headers);
    receive(req, res, span).catch((error: unknown) => {
      span.failed(error);
      refusals.log('internal_error', 'error', { err: error }, 'unexpected error while receiving a webhook');
      sendError(res, 500, 'internal_error', 'Unexpected error in the receiver; it has been logged');
    });
  };
}

/**
 * A mountable Express router that receives signed webhooks at its root (`POST /`). It reads the raw
 * body itself, so mount it BEFORE any JSON body parser:
 *
 * @example
 * const store = await openStore('sqlite:./.data/receiver.sqlite');
 * const processor = new Processor({ store });
 * processor.start();
 * app.use('/hooks/whop', createWebhookRouter({ secret: process.env.WEBHOOK_SECRET!, store, processor }));
 * app.use(express.json()); // after the webhook router
 */
export function createWebhookRouter(
  options: WebhookRouterOptions & {
    /** A handler from createWebhookHandler() to reuse instead of making one from `options`. */
    handler?: (req: Request, res: Response) => void;
  },
): Router {
  const router = Router();
  router.post('/', options.handler ?? createWebhookHandler(options));
  router.all('/', (_req, res) => {
    res.set('allow', 'POST');
    sendError(res, 405, 'method_not_allowed', 'Send webhooks with POST');
  });
  return router;
}
