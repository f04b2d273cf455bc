// The serve service's request bodies: JSON options only (a browser cannot send those cross-site
// without a preflight, which gets no CORS answer), at most 1 MiB, nested at most MAX_JSON_DEPTH.
import type { IncomingMessage } from 'node:http';
import { HttpError } from '@webhook-contracts/http-kit';
import { jsonTooDeep, MAX_JSON_DEPTH } from './jsonDepth.js';

/** The largest body read; a larger Content-Length is refused before any byte is. */
export const MAX_BODY_BYTES = 1024 * 1024;

const bodyTooLarge = () =>
  new HttpError(413, 'body_too_large', 'the request body exceeds 1 MiB: send options, not payloads');

/**
 * Refuses with 415 a body that is not `application/json` (optionally with a UTF-8 charset).
 *
 * @example
 * requireJsonType(req); // throws HttpError 415 unsupported_media_type for text/plain
 */
export function requireJsonType(req: IncomingMessage): void {
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

/**
 * The request body parsed as JSON; an empty body is `{}`.
 *
 * @throws {HttpError} 413 `body_too_large`, 400 `invalid_json` (not JSON, or nested too deep).
 * @example
 * const options = await readJsonBody(req);
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
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
  } catch (error) {
    throw new HttpError(400, 'invalid_json', 'the request body is not JSON: send an object of options', {
      cause: error,
    });
  }
}
