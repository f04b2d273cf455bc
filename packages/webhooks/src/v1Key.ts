// A v1 HMAC key prepared once for verification. HMAC-SHA256 is SHA-256 twice (RFC 2104):
// H((K ^ opad) || H((K ^ ipad) || message)). Node's one-shot `crypto.hash` runs each SHA-256 in a
// single native call, while `createHmac` builds an Hmac object (and looks the digest up again) per
// delivery, which cost more than hashing a typical body. The padded key blocks are computed here,
// once per key; each key owns the buffers its message and inner digest are assembled in, reused
// because verification is synchronous.
import { createHash, hash } from 'node:crypto';
import { writeLatin1, writeUtf8 } from './latin1Bytes.js';
import { v1Signature } from './signature.js';

// SHA-256's block size: a longer key is hashed first, a shorter one zero-padded to it.
const BLOCK = 64;
const DIGEST = 32;
const DOT = 0x2e;
// The message buffer gets this many bytes on first use and grows to fit a larger delivery, up to
// MAX_ASSEMBLED; a body beyond that is hashed by createHmac (its per-call cost is small beside it).
const INITIAL_CAPACITY = 16 * 1024;
const MAX_ASSEMBLED = 1024 * 1024;
// `crypto.hash` arrived in Node 20.12; on an older Node every digest goes through createHmac.
const oneShot: typeof hash | undefined = typeof hash === 'function' ? hash : undefined;

export interface V1Key {
  /** The secret as decoded, for createHmac. */
  readonly secret: Buffer;
  /** K ^ ipad, followed by room for `${id}.${timestamp}.` and the body. */
  message: Buffer;
  /** K ^ opad, followed by the inner digest's 32 bytes. */
  readonly outer: Buffer;
}

/** Prepares `secret` (decoded key bytes) for v1Digest. */
export function prepareV1Key(secret: Buffer): V1Key {
  const key = secret.length > BLOCK ? createHash('sha256').update(secret).digest() : secret;
  // Only the key block for now: the room for messages is allocated on the first digest.
  const message = Buffer.alloc(BLOCK);
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = i < key.length ? (key[i] as number) : 0;
    message[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  return { secret, message, outer };
}

/**
 * The base64 HMAC-SHA256 of `${id}.${timestamp}.` followed by `body`: the same value as
 * v1Signature(secret, id, timestamp, body).
 */
export function v1Digest(key: V1Key, id: string, timestamp: number, body: Buffer): string {
  const seconds = String(timestamp);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; Buffer#write would cut a message that did not fit.
  const size = BLOCK + 3 * id.length + seconds.length + 2 + body.length;
  if (oneShot === undefined || size > MAX_ASSEMBLED) {
    return v1Signature(key.secret, id, timestamp, body);
  }
  if (size > key.message.length) key.message = grown(key.message, size);
  const { message, outer } = key;
  // The prefix written piece by piece: no concatenated string to build and flatten.
  let length = writeUtf8(message, BLOCK, id);
  message[length] = DOT;
  length = writeLatin1(message, length + 1, seconds);
  message[length] = DOT;
  length += 1 + body.copy(message, length + 1);
  // 'binary' (Latin-1) gives the 32 digest bytes as a 32-character string, cheaper to return than a Buffer.
  writeLatin1(
    outer,
    BLOCK,
    oneShot('sha256', new Uint8Array(message.buffer, message.byteOffset, length), 'binary'),
  );
  return oneShot('sha256', outer, 'base64');
}

/** A message buffer of at least `size` bytes, starting with the same K ^ ipad block. */
function grown(message: Buffer, size: number): Buffer {
  let capacity = Math.max(message.length, BLOCK + INITIAL_CAPACITY);
  while (capacity < size) capacity *= 2;
  const larger = Buffer.alloc(Math.min(capacity, MAX_ASSEMBLED));
  message.copy(larger, 0, 0, BLOCK);
  return larger;
}
