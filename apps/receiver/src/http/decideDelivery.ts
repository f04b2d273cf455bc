// Step two of POST /webhooks: decide. Pure functions from what was read (readDelivery) to either a
// delivery to store or an answer, and from the store's verdict to the answer: status, body, metric
// outcome and log line. No I/O here, so every answer is unit-tested without HTTP.
import type { IncomingHttpHeaders } from 'node:http';
import type { ContractError, ErrorBody, WebhookAnswer } from '@webhook-contracts/schema';
import type { ContractMode } from '../config.js';
import { StoreError } from '../errors.js';
import { truncateForLog } from '../logging/truncateForLog.js';
import type { DeliveryOutcome } from '../ReceiverMetrics.js';
import type { InsertOutcome, NewDelivery } from '../store/core/Store.js';
import { parameterMaxLength } from './readApiParameters.js';
import type { DeliveryRead, EarlyExit } from './readDelivery.js';
import { storeErrorStatus } from './storeErrorStatus.js';

export interface DeliveryAnswer {
  status: number;
  /** The JSON body: a WebhookAnswer with 200, an ErrorBody otherwise. */
  body: WebhookAnswer | ErrorBody;
  /** The `webhook_deliveries_total` label. */
  outcome: DeliveryOutcome;
  log: { level: 'debug' | 'info' | 'warn' | 'error'; fields?: Record<string, unknown>; message: string };
  /** Send `Retry-After` (a 503 the sender should retry). */
  retryAfter?: boolean;
  /** Answered before the body was read: how to leave the connection. */
  exit?: EarlyExit;
  /** A new `received` event: tell the processor. */
  wake?: boolean;
  /** A webhook-id already stored (counted in `webhook_duplicate_deliveries_total` too). */
  duplicate?: boolean;
}

/** What to store, with the contract errors a quarantined delivery is answered with. */
export interface DeliveryToStore {
  delivery: NewDelivery;
  /** The first contract errors (at most 20)… */
  errors?: ContractError[];
  /** …and how many were found. */
  errorCount?: number;
}

export type Decision = { kind: 'answer'; answer: DeliveryAnswer } | { kind: 'store'; store: DeliveryToStore };

/** `{ "error": { code, message, details? } }`, the one error shape. */
function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * How an answer states bounded contract errors next to the list: `error_count` errors were found
 * and `errors_truncated` says the list holds fewer (see the schema package's validateEvent).
 */
function errorTally(
  listed: readonly unknown[],
  count: number,
): { error_count: number; errors_truncated: boolean } {
  return { error_count: count, errors_truncated: count > listed.length };
}

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

const answer = (a: DeliveryAnswer): Decision => ({ kind: 'answer', answer: a });

/**
 * What to do with a delivery once it is read: refuse it (and how), or store it.
 *
 * @example
 * const decision = decideDelivery(await reader.read(req), 'quarantine');
 * if (decision.kind === 'store') await store.insertDelivery(decision.store.delivery);
 */
export function decideDelivery(read: DeliveryRead, contractMode: ContractMode): Decision {
  switch (read.kind) {
    case 'bad_headers':
      return answer({
        status: 401,
        body: errorBody(read.error.code, read.error.message),
        outcome: 'rejected_signature',
        log: {
          level: 'warn',
          fields: { code: read.error.code },
          message: 'delivery rejected before its body: webhook headers',
        },
        exit: read.exit,
      });
    case 'overloaded':
      return answer({
        status: 503,
        body: errorBody(
          'overloaded',
          'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
        ),
        outcome: 'overloaded',
        log: {
          level: 'warn',
          fields: { inflightBytes: read.inflightBytes, limit: read.limit },
          message: 'delivery refused: too many bodies in flight',
        },
        retryAfter: true,
        exit: read.exit,
      });
    case 'unreadable': {
      const { error } = read;
      return answer({
        status: error.status,
        body: errorBody(error.code, error.message),
        outcome:
          error.status === 413
            ? 'too_large'
            : error.code === 'body_too_slow'
              ? 'body_too_slow'
              : 'bad_request',
        log:
          error.code === 'body_already_consumed'
            ? { level: 'error', message: error.message }
            : { level: 'info', fields: { code: error.code }, message: 'delivery rejected' },
        exit: read.exit,
      });
    }
    case 'body':
      break;
  }

  const { verified, body, headers, receivedAt } = read;
  let toStore: DeliveryToStore;
  if (verified.kind === 'unauthentic') {
    return answer({
      status: 401,
      body: errorBody(verified.error.code, verified.error.message),
      outcome: 'rejected_signature',
      log: {
        level: 'warn',
        fields: { code: verified.error.code },
        message: 'delivery rejected: signature verification failed',
      },
    });
  }
  if (verified.kind === 'off_contract') {
    const { error } = verified;
    if (contractMode === 'strict') {
      return answer({
        status: 422,
        body: {
          error: {
            code: error.code,
            message: error.message,
            details: error.errors,
            ...errorTally(error.errors, error.errorCount),
          },
        },
        outcome: 'rejected_contract',
        log: {
          level: 'warn',
          fields: { webhookId: truncateForLog(error.delivery.id), code: error.code },
          message: 'delivery rejected: off contract (strict)',
        },
      });
    }
    toStore = {
      errors: error.errors,
      errorCount: error.errorCount,
      delivery: {
        webhookId: error.delivery.id,
        // Read while the body was parsed for the contract check: it is not parsed again here.
        type: error.type,
        status: 'quarantined',
        body,
        headers: keptHeaders(headers),
        errors: error.errors,
        errorCount: error.errorCount,
        receivedAt,
      },
    };
  } else {
    const { result } = verified;
    toStore = {
      delivery: {
        webhookId: result.id,
        type: result.kind === 'event' ? result.event.type : result.type,
        status: result.kind === 'event' ? 'received' : 'unhandled',
        body,
        headers: keptHeaders(headers),
        errors: null,
        receivedAt,
        // Verified, parsed and validated already: the processor starts from it, not the bytes.
        ...(result.kind === 'event' ? { event: result.event } : {}),
      },
    };
  }

  // No store can keep a NUL in a text column (PostgreSQL refuses it): the delivery would fail
  // on every retry, so it is refused as the client's problem, on every backend alike.
  if (toStore.delivery.type?.includes(NUL)) {
    return answer({
      status: 422,
      body: errorBody(
        'unstorable_delivery',
        'The event type contains a NUL character (\\u0000), which the event store cannot keep: fix the sender; nothing was stored',
      ),
      outcome: 'unstorable',
      log: {
        level: 'warn',
        fields: { webhookId: truncateForLog(toStore.delivery.webhookId) },
        message: 'delivery refused: its type contains a NUL character',
      },
    });
  }
  // The read API addresses an event by its id, up to 256 characters: a longer one could be stored
  // but never fetched, replayed or exported by id. Whop's ids are under 40 characters.
  const idLength = toStore.delivery.webhookId.length;
  if (idLength > parameterMaxLength.webhook_id) {
    return answer({
      status: 422,
      body: errorBody(
        'unstorable_delivery',
        `The webhook-id is ${idLength} characters, over the ${parameterMaxLength.webhook_id} the event store keeps: fix the sender; nothing was stored`,
      ),
      outcome: 'unstorable',
      log: {
        level: 'warn',
        fields: { webhookId: truncateForLog(toStore.delivery.webhookId), idLength },
        message: 'delivery refused: its webhook-id is too long',
      },
    });
  }
  return { kind: 'store', store: toStore };
}

/**
 * The answer once the store has taken (or refused) the delivery.
 *
 * @example
 * const stored = await store.insertDelivery(delivery).then((outcome) => ({ ok: true, outcome }), (error) => ({ ok: false, error }));
 * const answer = decideStored(toStore, stored);
 */
export function decideStored(
  { delivery, errors, errorCount }: DeliveryToStore,
  stored: { ok: true; outcome: InsertOutcome } | { ok: false; error: unknown },
): DeliveryAnswer {
  const webhookId = delivery.webhookId;
  // For the log lines: what the sender chose is bounded there (the answer keeps it whole).
  const loggedId = truncateForLog(webhookId);
  if (!stored.ok) {
    const { error } = stored;
    if (error instanceof StoreError && storeErrorStatus(error.code) === 422) {
      return {
        status: 422,
        body: errorBody(error.code, error.message),
        outcome: 'unstorable',
        log: {
          level: 'warn',
          fields: { err: error, webhookId: loggedId },
          message: 'delivery refused by the store',
        },
      };
    }
    const overloaded = error instanceof StoreError && error.code === 'store_overloaded';
    return {
      status: 503,
      body: errorBody(
        error instanceof StoreError ? error.code : 'store_unavailable',
        overloaded
          ? 'The event store has too many deliveries waiting to be written: retry later'
          : 'The event store cannot take the delivery right now: retry later',
      ),
      outcome: overloaded ? 'overloaded' : 'store_unavailable',
      log: overloaded
        ? { level: 'warn', fields: { webhookId: loggedId }, message: 'delivery refused: store queue full' }
        : {
            level: 'error',
            fields: { err: error, webhookId: loggedId },
            message: 'store could not take the delivery',
          },
      retryAfter: true,
    };
  }

  const { outcome } = stored;
  if (!outcome.inserted) {
    return {
      status: 200,
      body: { status: 'duplicate', webhook_id: webhookId, deliveries_seen: outcome.deliveriesSeen },
      outcome: 'duplicate',
      log: {
        level: 'debug',
        fields: { webhookId: loggedId, deliveriesSeen: outcome.deliveriesSeen },
        message: 'duplicate delivery',
      },
      duplicate: true,
    };
  }
  if (delivery.status === 'received') {
    return {
      status: 200,
      body: { status: 'accepted', webhook_id: webhookId },
      outcome: 'accepted',
      log: { level: 'debug', fields: { webhookId: loggedId }, message: 'delivery accepted' },
      wake: true,
    };
  }
  return {
    status: 200,
    // Errors come with a quarantined delivery only; an unhandled one has none.
    body:
      errors === undefined
        ? { status: 'unhandled', webhook_id: webhookId }
        : {
            status: 'quarantined',
            webhook_id: webhookId,
            errors,
            ...errorTally(errors, errorCount ?? errors.length),
          },
    outcome: delivery.status,
    log: {
      level: 'info',
      fields: {
        webhookId: loggedId,
        type: delivery.type === null ? null : truncateForLog(delivery.type),
        status: delivery.status,
      },
      message:
        delivery.status === 'quarantined'
          ? 'delivery quarantined: off contract'
          : 'delivery of an unknown type kept',
    },
  };
}
