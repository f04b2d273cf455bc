// POST / : verify the signature over the raw bytes, validate against the contract, store durably
// (group-committed, fsync'd) and only then answer 2xx; processing happens afterwards, from the store.
import type { IncomingHttpHeaders } from 'node:http';
import {
  type SecretInput,
  Webhook,
  WebhookPayloadError,
  WebhookVerificationError,
} from '@webhook-contracts/webhooks';
import { type Request, type Response, Router } from 'express';
import type { ContractMode } from '../config.js';
import { HttpError, StoreError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { DeliveryOutcome, ReceiverMetrics } from '../ReceiverMetrics.js';
import type { NewDelivery, Store } from '../store/Store.js';
import { discardRestOfBody, readRawBody } from './readRawBody.js';
import { sendError } from './sendError.js';

export interface WebhookRouterOptions {
  /** The endpoint secret(s): whsec_… or ws_…; several while rotating. Or pass a ready `webhook`. */
  secret?: SecretInput | readonly SecretInput[];
  webhook?: Webhook;
  store: Store;
  /** `quarantine` (default): keep off-contract events and answer 200. `strict`: answer 422, store nothing. */
  contractMode?: ContractMode;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** Accepted webhook-timestamp skew in seconds (default 300). Ignored when `webhook` is given. */
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

const DRAIN_TIMEOUT_MS = 10_000;

const droppedHeaders = new Set(['webhook-signature', 'authorization', 'proxy-authorization', 'cookie']);

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || droppedHeaders.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Answers 200 with a JSON body, written directly: this is the hot path, and Express's res.json()
 * (content negotiation, freshness checks, re-encoding) costs more than everything it adds here.
 */
function sendJson(res: Response, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sniffType(body: Buffer): string | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
}

/**
 * The POST handler of the webhook route on its own, without a Router around it: for an app that
 * dispatches POST /webhooks itself (createReceiver does, ahead of Express's routing, because this is
 * the hot path). Other methods are not its business: createWebhookRouter answers them with 405.
 *
 * @example
 * const receive = createWebhookHandler({ secret: process.env.WEBHOOK_SECRET!, store, processor });
 * app.post('/hooks/whop', receive);
 */
export function createWebhookHandler(options: WebhookRouterOptions): (req: Request, res: Response) => void {
  const now = options.now ?? Date.now;
  const webhook =
    options.webhook ??
    new Webhook(options.secret ?? [], {
      toleranceSeconds: options.toleranceSeconds ?? 300,
      now,
    });
  const { store, processor, metrics } = options;
  const strict = (options.contractMode ?? 'quarantine') === 'strict';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  // How much of an oversized body is read and discarded after its 413 (see discardRestOfBody).
  const drainLimitBytes = Math.max(4 * maxBodyBytes, 4 * 1024 * 1024);
  const logger = options.logger ?? silentLogger();

  const count = (outcome: DeliveryOutcome) => metrics?.countDelivery(outcome);

  async function receive(req: Request, res: Response): Promise<void> {
    const receivedAt = now();
    let body: Buffer;
    try {
      body = await readRawBody(req, maxBodyBytes);
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(400, 'bad_request', String(error));
      count(e.status === 413 ? 'too_large' : 'bad_request');
      if (e.code === 'body_already_consumed') logger.error(e.message);
      else logger.info({ code: e.code }, 'delivery rejected');
      // The rest of the body was not read. A body small enough to drain is read and discarded after
      // the answer (closing with unread bytes would reset the connection and lose the answer);
      // beyond that the connection is closed instead of reused.
      const drainable =
        !req.complete && !req.destroyed && !(Number(req.headers['content-length']) > drainLimitBytes);
      if (!req.complete && !drainable) res.set('connection', 'close');
      sendError(res, e.status, e.code, e.message);
      if (drainable) discardRestOfBody(req, drainLimitBytes, DRAIN_TIMEOUT_MS);
      return;
    }

    let delivery: NewDelivery;
    let errors: WebhookPayloadError['errors'] | undefined;
    try {
      const result = webhook.unwrap(req.headers, body);
      delivery = {
        webhookId: result.id,
        type: result.kind === 'event' ? result.event.type : result.type,
        status: result.kind === 'event' ? 'received' : 'unhandled',
        body,
        headers: keptHeaders(req.headers),
        errors: null,
        receivedAt,
      };
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        count('rejected_signature');
        logger.warn({ code: error.code }, 'delivery rejected: signature verification failed');
        sendError(res, 401, error.code, error.message);
        return;
      }
      if (!(error instanceof WebhookPayloadError)) throw error;
      if (strict) {
        count('rejected_contract');
        logger.warn(
          { webhookId: error.delivery.id, code: error.code },
          'delivery rejected: off contract (strict)',
        );
        sendError(res, 422, error.code, error.message, error.errors);
        return;
      }
      errors = error.errors;
      delivery = {
        webhookId: error.delivery.id,
        type: error.code === 'invalid_json' ? null : sniffType(body),
        status: 'quarantined',
        body,
        headers: keptHeaders(req.headers),
        errors,
        receivedAt,
      };
    }

    let outcome: Awaited<ReturnType<Store['insertDelivery']>>;
    try {
      outcome = await store.insertDelivery(delivery);
    } catch (error) {
      count('store_unavailable');
      logger.error({ err: error, webhookId: delivery.webhookId }, 'store could not take the delivery');
      res.set('retry-after', retryAfter);
      const code = error instanceof StoreError ? error.code : 'store_unavailable';
      sendError(res, 503, code, 'The event store cannot take the delivery right now: retry later');
      return;
    }

    if (!outcome.inserted) {
      count('duplicate');
      metrics?.duplicatesSeen.inc();
      logger.debug(
        { webhookId: delivery.webhookId, deliveriesSeen: outcome.deliveriesSeen },
        'duplicate delivery',
      );
      sendJson(res, {
        status: 'duplicate',
        webhook_id: delivery.webhookId,
        deliveries_seen: outcome.deliveriesSeen,
      });
      return;
    }
    if (delivery.status === 'received') {
      count('accepted');
      processor?.wake();
      logger.debug({ webhookId: delivery.webhookId }, 'delivery accepted');
      sendJson(res, { status: 'accepted', webhook_id: delivery.webhookId });
      return;
    }
    count(delivery.status);
    logger.info(
      { webhookId: delivery.webhookId, type: delivery.type, status: delivery.status },
      delivery.status === 'quarantined'
        ? 'delivery quarantined: off contract'
        : 'delivery of an unknown type kept',
    );
    res
      .status(200)
      .json(
        errors === undefined
          ? { status: delivery.status, webhook_id: delivery.webhookId }
          : { status: delivery.status, webhook_id: delivery.webhookId, errors },
      );
  }

  return (req, res) => {
    receive(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'unexpected error while receiving a webhook');
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
