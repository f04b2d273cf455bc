// The v1a scheme itself, shared by signing and verification: ed25519 over `${id}.${timestamp}.`
// followed by the body bytes. Ed25519 signs a whole message (no streaming), so the signed content is
// assembled once per delivery and reused for every candidate and key.
import { type KeyObject, sign, verify } from 'node:crypto';

/** The exact bytes a v1a signature covers. */
export function signedContent(id: string, timestamp: number | string, body: Buffer): Buffer {
  const prefix = `${id}.${timestamp}.`;
  const content = Buffer.allocUnsafe(Buffer.byteLength(prefix) + body.length);
  const written = content.write(prefix, 'utf8');
  body.copy(content, written);
  return content;
}

/** The base64 ed25519 signature (without the `v1a,` prefix). */
export function v1aSignature(privateKey: KeyObject, content: Buffer): string {
  return sign(null, content, privateKey).toString('base64');
}

/**
 * Whether `signature` (64 raw bytes) is `publicKey`'s signature of `content`. Everything compared
 * here is public (key, message, signature), so no secret-dependent timing is at stake.
 */
export function v1aVerifies(publicKey: KeyObject, content: Buffer, signature: Buffer): boolean {
  return verify(null, content, publicKey, signature);
}
