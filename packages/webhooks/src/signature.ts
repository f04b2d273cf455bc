// The v1 scheme itself: HMAC-SHA256 over `${id}.${timestamp}.` followed by the body bytes. Signing
// computes it here; verification computes the same value from keys prepared once (v1Key.ts). The
// prefix and body go to the HMAC separately so the body is never copied or re-encoded.
import { createHmac, type KeyObject } from 'node:crypto';

/** Bytes of a body as given: a string is UTF-8 encoded once; bytes are viewed, never copied. */
export function bodyBytes(body: string | Uint8Array): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(
    `The webhook body must be a string or bytes (Buffer/Uint8Array), got ${typeof body}: pass the raw request body (with Express, mount express.raw({ type: () => true }) on the webhook route).`,
  );
}

/** The base64 HMAC-SHA256 (without the `v1,` prefix). */
export function v1Signature(key: Buffer | KeyObject, id: string, timestamp: number, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}
