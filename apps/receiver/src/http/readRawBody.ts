// Reads a request body as exact bytes, straight from the stream: the signature covers the raw bytes,
// so no body parser may touch them first. Stops reading (and buffering) as soon as the limit is
// passed, the shared in-flight budget is spent, or the body arrives too slowly.
import type { IncomingMessage } from 'node:http';
import { HttpError } from '@webhook-contracts/http-kit';
import type { BodyHold, InflightBodyBudget } from './InflightBodyBudget.js';
import type { BodyRateWatch, MinBodyRate } from './MinBodyRate.js';

interface MaybeParsedRequest extends IncomingMessage {
  body?: unknown;
  _body?: boolean;
  rawBody?: unknown;
}

export const bodyAlreadyConsumedMessage =
  'The request body was already read by another middleware (such as express.json()) mounted before the ' +
  'webhook router, so the exact bytes the signature covers are gone. Mount createWebhookRouter() before ' +
  'express.json() / express.urlencoded() (or on a path those parsers skip).';

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'payload_too_large',
    `The body is larger than the ${limit}-byte limit (MAX_BODY_BYTES): webhook payloads are small, so this is not a delivery`,
  );
}

export interface ReadRawBodyOptions {
  /**
   * Charged with each chunk as it arrives and given back when the read ends: a chunk that does not
   * fit (even after older bodies were cut to make room), or this body being cut for a newer one,
   * ends the read with 503 `overloaded`.
   */
  inflight?: InflightBodyBudget;
  /** A body arriving slower than this ends the read with 408 `body_too_slow`. */
  minRate?: MinBodyRate;
}

function overloaded(): HttpError {
  return new HttpError(
    503,
    'overloaded',
    'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
  );
}

function tooSlow(minRate: MinBodyRate): HttpError {
  return new HttpError(
    408,
    'body_too_slow',
    `The body arrived slower than ${minRate.bytesPerSecond} bytes/s over ${minRate.windowMs / 1000} s ` +
      '(MIN_BODY_BYTES_PER_SECOND, BODY_RATE_WINDOW_SECONDS): nothing was stored; send the whole body at once',
  );
}

/**
 * Resolves with the body's bytes, up to `limit`.
 *
 * Uses `req.rawBody` if an earlier middleware kept the exact bytes there (the `verify` hook of
 * express.json); otherwise a consumed stream is reported as `body_already_consumed`.
 *
 * @throws {HttpError} 413 `payload_too_large`, 400 `request_aborted`, 400 `body_already_consumed`,
 *   503 `overloaded` (options.inflight), 408 `body_too_slow` (options.minRate). After a 413, 503 or
 *   408 the request is paused with the rest of its body unread.
 * @example
 * const body = await readRawBody(req, 1024 * 1024, { inflight: budget, minRate });
 */
export function readRawBody(
  req: IncomingMessage,
  limit: number,
  options: ReadRawBodyOptions = {},
): Promise<Buffer> {
  const r = req as MaybeParsedRequest;
  if (Buffer.isBuffer(r.rawBody)) {
    return r.rawBody.length > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(r.rawBody);
  }
  if (r._body === true || r.body !== undefined || r.readableEnded) {
    return Promise.reject(new HttpError(400, 'body_already_consumed', bodyAlreadyConsumedMessage));
  }
  // No content-length (a chunked body) is NaN, which is not over the limit.
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge(limit));
  const { inflight, minRate } = options;

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // What this read holds of the in-flight budget: only bytes that arrived.
    let hold: BodyHold | undefined;
    let watch: BodyRateWatch | undefined;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      watch?.stop();
      hold?.release();
    };
    /** Ends the read with the rest of the body unread: the caller answers, then drains or closes. */
    const refuse = (error: HttpError) => {
      cleanup();
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        refuse(tooLarge(limit));
        return;
      }
      if (hold !== undefined && !hold.take(chunk.length)) {
        refuse(overloaded());
        return;
      }
      watch?.received(chunk.length);
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const aborted = (cause?: unknown) => {
      cleanup();
      reject(
        new HttpError(
          400,
          'request_aborted',
          'The client closed the connection before the whole body arrived',
          {
            cause,
          },
        ),
      );
    };
    const onError = (error: Error) => aborted(error);
    const onClose = () => {
      if (!req.complete) aborted();
    };
    if (minRate !== undefined && !req.complete) watch = minRate.watch(() => refuse(tooSlow(minRate)));
    hold = inflight?.hold(() => refuse(overloaded()));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export interface DiscardOptions {
  /** Called once, when the body has been read to its end or the drain stopped. */
  done?: () => void;
  /** A drain slower than this stops too (the connection destroyed). */
  minRate?: MinBodyRate;
}

/**
 * After an early answer (401, 413, 503), reads and throws away the rest of the request body, so the
 * client that is still sending gets to read the answer: closing a socket with unread incoming bytes
 * makes the kernel reset the connection, and a reset discards the answer on the client's side. The
 * drain is bounded: past `maxBytes`, `maxMs` or below `options.minRate` the connection is destroyed
 * after all. Nothing is buffered.
 *
 * @example
 * sendError(res, 413, 'payload_too_large', message);
 * discardRestOfBody(req, 8 * 1024 * 1024, 10_000, { minRate });
 */
export function discardRestOfBody(
  req: IncomingMessage,
  maxBytes: number,
  maxMs: number,
  options: DiscardOptions = {},
): void {
  const { done = () => {}, minRate } = options;
  if (req.complete || req.destroyed) {
    done();
    return;
  }
  let seen = 0;
  let finished = false;
  const stop = () => {
    clearTimeout(timer);
    watch?.stop();
    req.off('data', onData);
    if (!finished) {
      finished = true;
      done();
    }
  };
  const giveUp = () => {
    req.socket.destroy();
    stop();
  };
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    watch?.received(chunk.length);
    if (seen > maxBytes) giveUp();
  };
  const timer = setTimeout(giveUp, maxMs);
  timer.unref();
  const watch = minRate?.watch(giveUp);
  req.on('data', onData);
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}
