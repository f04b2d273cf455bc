// POST / : verify the signature over the raw bytes, validate against the contract, store durably
// (group-committed, fsync'd) and only then answer 2xx; processing happens afterwards, from the store.
import type { IncomingHttpHeaders } from 'node:http';
import {
  precheckWebhookHeaders,
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
import type { EventError, NewDelivery, Store } from '../store/Store.js';
import { InflightBodyBudget } from './InflightBodyBudget.js';
import { discardRestOfBody, readRawBody } from './readRawBody.js';
import { sendError } from './sendError.js';

export interface WebhookRouterOptions {
  /** The endpoint secret(s): whsec_… or ws_…; several while rotating. Or pass a ready `webhook`. */
  secret?: SecretInput | readonly SecretInput[];
  webhook?: Webhook;
  store: Store;
  /** `quarantine` (default): keep off-contract events and answer 200. `strict`: answer 422, store nothing. */
  contractMode?: ContractMode;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * Bytes of all bodies being read at once (default 64 MiB); past it a delivery is answered 503
   * `overloaded` before its body is read. Pass a shared budget to bound several handlers together.
   */
  maxInflightBodyBytes?: number | InflightBodyBudget;
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

const DRAIN_TIMEOUT_MS = 10_000;

// The only request headers stored with an event (and served back by GET /events/:id): what a
// sender controls about a delivery. Anything else (cookies, proxy credentials, forwarding chains)
// is not ours to keep; webhook-signature is verified and dropped, as it proves nothing once stored.
const keptHeaderNames = [
  'content-type',
  'content-length',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
] as const;

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of keptHeaderNames) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const NUL = String.fromCharCode(0);

/** PostgreSQL text and jsonb cannot hold NUL; error details are prose, so it is replaced there. */
function storableErrors(errors: readonly EventError[]): EventError[] {
  return errors.map((e) => ({
    pointer: e.pointer.replaceAll(NUL, '\uFFFD'),
    message: e.message.replaceAll(NUL, '\uFFFD'),
  }));
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
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const inflight =
    options.maxInflightBodyBytes instanceof InflightBodyBudget
      ? options.maxInflightBodyBytes
      : new InflightBodyBudget(options.maxInflightBodyBytes ?? 64 * 1024 * 1024);
  const precheck = { toleranceSeconds: options.toleranceSeconds ?? 300, now };
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  // How much of an oversized body is read and discarded after its 413 (see discardRestOfBody).
  const drainLimitBytes = Math.max(4 * maxBodyBytes, 4 * 1024 * 1024);
  const logger = options.logger ?? silentLogger();

  const count = (outcome: DeliveryOutcome) => metrics?.countDelivery(outcome);

  /**
   * Answers before the body is read. A body small enough to drain is read and discarded after the
   * answer (closing with unread bytes would reset the connection and lose the answer); beyond that,
   * or when `close` is asked, the connection is closed instead of reused. Nothing is buffered.
   */
  function refuseEarly(
    req: Request,
    res: Response,
    status: number,
    code: string,
    message: string,
    close = false,
  ): void {
    const drainable =
      !close && !req.complete && !req.destroyed && !(Number(req.headers['content-length']) > drainLimitBytes);
    if (!req.complete && !drainable) res.set('connection', 'close');
    sendError(res, status, code, message);
    if (drainable) discardRestOfBody(req, drainLimitBytes, DRAIN_TIMEOUT_MS);
  }

  async function receive(req: Request, res: Response): Promise<void> {
    const receivedAt = now();
    // Headers first: an unsigned, stale or malformed request is refused before its body costs
    // anything (verification repeats these checks over the body below).
    try {
      precheckWebhookHeaders(req.headers, precheck);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      count('rejected_signature');
      logger.warn({ code: error.code }, 'delivery rejected before its body: webhook headers');
      refuseEarly(req, res, 401, error.code, error.message);
      return;
    }

    const declared = Number(req.headers['content-length']);
    // A chunked body (no length) may grow to the limit, so it reserves the limit.
    const reserved =
      Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, maxBodyBytes) : maxBodyBytes;
    if (!inflight.tryReserve(reserved)) {
      count('overloaded');
      logger.warn(
        { inflightBytes: inflight.used, limit: inflight.limit },
        'delivery refused: too many bodies in flight',
      );
      res.set('retry-after', retryAfter);
      refuseEarly(
        req,
        res,
        503,
        'overloaded',
        'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
        true,
      );
      return;
    }

    let body: Buffer;
    try {
      body = await readRawBody(req, maxBodyBytes);
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(400, 'bad_request', String(error));
      count(e.status === 413 ? 'too_large' : 'bad_request');
      if (e.code === 'body_already_consumed') logger.error(e.message);
      else logger.info({ code: e.code }, 'delivery rejected');
      refuseEarly(req, res, e.status, e.code, e.message);
      return;
    } finally {
      inflight.release(reserved);
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
        errors: storableErrors(errors),
        receivedAt,
      };
    }

    // No store can keep a NUL in a text column (PostgreSQL refuses it): the delivery would fail
    // on every retry, so it is refused as the client's problem, on every backend alike.
    if (delivery.type?.includes(NUL)) {
      count('unstorable');
      logger.warn({ webhookId: delivery.webhookId }, 'delivery refused: its type contains a NUL character');
      sendError(
        res,
        422,
        'unstorable_delivery',
        'The event type contains a NUL character (\\u0000), which the event store cannot keep: fix the sender; nothing was stored',
      );
      return;
    }

    let outcome: Awaited<ReturnType<Store['insertDelivery']>>;
    try {
      outcome = await store.insertDelivery(delivery);
    } catch (error) {
      if (error instanceof StoreError && error.status === 422) {
        count('unstorable');
        logger.warn({ err: error, webhookId: delivery.webhookId }, 'delivery refused by the store');
        sendError(res, 422, error.code, error.message);
        return;
      }
      const overloaded = error instanceof StoreError && error.code === 'store_overloaded';
      count(overloaded ? 'overloaded' : 'store_unavailable');
      if (overloaded) logger.warn({ webhookId: delivery.webhookId }, 'delivery refused: store queue full');
      else logger.error({ err: error, webhookId: delivery.webhookId }, 'store could not take the delivery');
      res.set('retry-after', retryAfter);
      const code = error instanceof StoreError ? error.code : 'store_unavailable';
      sendError(
        res,
        503,
        code,
        overloaded
          ? 'The event store has too many deliveries waiting to be written: retry later'
          : 'The event store cannot take the delivery right now: retry later',
      );
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
