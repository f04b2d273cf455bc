// Step one of POST /webhooks: read the request. The headers are prechecked before the body costs
// anything, the body is read within the in-flight budget (charged by the bytes that arrive), the
// size limit and the minimum rate, and the bytes are verified and unwrapped. Nothing here writes to
// the store or answers: the result says what arrived, and decideDelivery says what to do about it.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { HttpError } from '@webhook-contracts/http-kit';
import {
  precheckWebhookHeaders,
  type UnwrapResult,
  type Webhook,
  WebhookPayloadError,
  WebhookVerificationError,
} from '@webhook-contracts/webhooks';
import type { InflightBodyBudget } from './InflightBodyBudget.js';
import type { MinBodyRate } from './MinBodyRate.js';
import { discardRestOfBody, readRawBody } from './readRawBody.js';

const DRAIN_TIMEOUT_MS = 10_000;

/** How a request answered before its whole body was read leaves the connection. */
export interface EarlyExit {
  /**
   * Read and discard the rest of the body after the answer (see discardRestOfBody), so a client
   * still sending reads the answer instead of a reset.
   */
  drain: boolean;
  /** Answer with `connection: close` instead of reusing the connection (closed once drained). */
  closeConnection: boolean;
}

export type DeliveryRead =
  /** The webhook headers are missing, malformed or stale: refused before the body. */
  | { kind: 'bad_headers'; error: WebhookVerificationError; exit: EarlyExit }
  /** Too many body bytes are buffered at once (MAX_INFLIGHT_BODY_BYTES): this one's next chunk did not fit. */
  | { kind: 'overloaded'; inflightBytes: number; limit: number; exit: EarlyExit }
  /** The body could not be read: too large, too slow, aborted, or already consumed by a parser. */
  | { kind: 'unreadable'; error: HttpError; exit: EarlyExit }
  /** The whole body arrived; `verified` says whether it is authentic and on contract. */
  | {
      kind: 'body';
      body: Buffer;
      headers: IncomingHttpHeaders;
      receivedAt: number;
      verified:
        | { kind: 'unwrapped'; result: UnwrapResult }
        | { kind: 'unauthentic'; error: WebhookVerificationError }
        | { kind: 'off_contract'; error: WebhookPayloadError };
    };

export interface DeliveryReaderOptions {
  webhook: Webhook;
  maxBodyBytes: number;
  inflight: InflightBodyBudget;
  /** The slowest a body (and the drain of a refused one) may arrive; none: only the timeouts bound it. */
  minRate?: MinBodyRate;
  /** For the header precheck: the same skew and clock the webhook verifies with. */
  toleranceSeconds: number;
  now: () => number;
}

/**
 * Makes the reader of one webhook route: `read(req)` resolves with what arrived, and `finish(req,
 * read)` discards an early-refused body's rest once the answer is written.
 *
 * @example
 * const reader = deliveryReader({ webhook, maxBodyBytes, inflight, toleranceSeconds: 300, now: Date.now });
 * const read = await reader.read(req);
 */
export function deliveryReader(options: DeliveryReaderOptions) {
  const { webhook, maxBodyBytes, inflight, minRate, now } = options;
  const precheck = { toleranceSeconds: options.toleranceSeconds, now, schemes: webhook.schemes };
  // How much of an oversized body is read and discarded after its 413 (see discardRestOfBody).
  const drainLimitBytes = Math.max(4 * maxBodyBytes, 4 * 1024 * 1024);

  /**
   * The rest of a body refused early is read and discarded after the answer (closing with unread
   * bytes would reset the connection and lose the answer). The connection is closed once drained
   * when `close` is asked or the body is larger than the drain takes (the drain then stops at its
   * bound and destroys it). A body too slow to wait for is not drained: its connection is closed.
   */
  function earlyExit(req: IncomingMessage, how: 'keep' | 'close' | 'no_drain' = 'keep'): EarlyExit {
    if (req.complete || req.destroyed) return { drain: false, closeConnection: false };
    if (how === 'no_drain') return { drain: false, closeConnection: true };
    // A chunked body (no length) is drained up to the bound, like one that fits.
    const overDrainLimit = Number(req.headers['content-length']) > drainLimitBytes;
    return { drain: true, closeConnection: how === 'close' || overDrainLimit };
  }

  async function read(req: IncomingMessage): Promise<DeliveryRead> {
    const receivedAt = now();
    // Headers first: an unsigned, stale or malformed request is refused before its body costs
    // anything (verification repeats these checks over the body below).
    try {
      precheckWebhookHeaders(req.headers, precheck);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return { kind: 'bad_headers', error, exit: earlyExit(req) };
    }

    // Nothing is reserved for what a client announces: the budget is charged chunk by chunk as the
    // body arrives, so a request that declares 256 KiB and stalls after one byte holds one byte.
    let body: Buffer;
    try {
      body = await readRawBody(
        req,
        maxBodyBytes,
        minRate === undefined ? { inflight } : { inflight, minRate },
      );
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(400, 'bad_request', String(error));
      if (e.code === 'overloaded') {
        // Under load, the connection is not kept for more: drained (so the 503 arrives), then closed.
        const inflightBytes = inflight.used;
        return { kind: 'overloaded', inflightBytes, limit: inflight.limit, exit: earlyExit(req, 'close') };
      }
      return {
        kind: 'unreadable',
        error: e,
        exit: earlyExit(req, e.code === 'body_too_slow' ? 'no_drain' : 'keep'),
      };
    }

    const headers = req.headers;
    try {
      return {
        kind: 'body',
        body,
        headers,
        receivedAt,
        verified: { kind: 'unwrapped', result: webhook.unwrap(headers, body) },
      };
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return { kind: 'body', body, headers, receivedAt, verified: { kind: 'unauthentic', error } };
      }
      if (error instanceof WebhookPayloadError) {
        return { kind: 'body', body, headers, receivedAt, verified: { kind: 'off_contract', error } };
      }
      throw error;
    }
  }

  /** After an early answer: drains what `read` left unread when it should; then calls `done`. */
  function finish(req: IncomingMessage, read: DeliveryRead, done?: () => void): void {
    if (read.kind !== 'body' && read.exit.drain) {
      discardRestOfBody(req, drainLimitBytes, DRAIN_TIMEOUT_MS, {
        ...(done === undefined ? {} : { done }),
        ...(minRate === undefined ? {} : { minRate }),
      });
    } else done?.();
  }

  return { read, finish };
}
