// Reads a request body as exact bytes, straight from the stream: the signature covers the raw bytes,
// so no body parser may touch them first. Stops reading (and buffering) as soon as the limit is
// passed.
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors.js';

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

/**
 * Resolves with the body's bytes, up to `limit`.
 *
 * Uses `req.rawBody` if an earlier middleware kept the exact bytes there (the `verify` hook of
 * express.json); otherwise a consumed stream is reported as `body_already_consumed`.
 *
 * @throws {HttpError} 413 `payload_too_large`, 400 `request_aborted`, 400 `body_already_consumed`.
 * @example
 * const body = await readRawBody(req, 1024 * 1024);
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const r = req as MaybeParsedRequest;
  if (Buffer.isBuffer(r.rawBody)) {
    return r.rawBody.length > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(r.rawBody);
  }
  if (r._body === true || r.body !== undefined || r.readableEnded) {
    return Promise.reject(new HttpError(400, 'body_already_consumed', bodyAlreadyConsumedMessage));
  }
  // No content-length (a chunked body) is NaN, which is not over the limit.
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge(limit));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
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
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * After an early answer (413), reads and throws away the rest of the request body, so the client
 * that is still sending gets to read the answer: closing a socket with unread incoming bytes makes
 * the kernel reset the connection, and a reset discards the answer on the client's side. The drain
 * is bounded: past `maxBytes` or `maxMs` the connection is destroyed after all. `done` (optional)
 * is called once, when the body has been read to its end or the drain stopped.
 *
 * @example
 * sendError(res, 413, 'payload_too_large', message);
 * discardRestOfBody(req, 8 * 1024 * 1024, 10_000);
 */
export function discardRestOfBody(
  req: IncomingMessage,
  maxBytes: number,
  maxMs: number,
  done: () => void = () => {},
): void {
  if (req.complete || req.destroyed) {
    done();
    return;
  }
  let seen = 0;
  let finished = false;
  const stop = () => {
    clearTimeout(timer);
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
    if (seen > maxBytes) giveUp();
  };
  const timer = setTimeout(giveUp, maxMs);
  timer.unref();
  req.on('data', onData);
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}
