// The serve service's bearer-token check. Both sides are hashed before the constant-time
// comparison, so neither the token's length nor a matching prefix shows in the timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when an `Authorization` header carries `token` with the `Bearer` scheme (any case).
 *
 * @example
 * bearerTokenMatches('bearer s3cr3t-token-value', 's3cr3t-token-value'); // true
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  // Compare even when the header is missing, so that case costs the same.
  const same = timingSafeEqual(digest(given), digest(token));
  return match !== null && same;
}

/** A fresh random token (256 bits, base64url) for a service started without SENDER_API_TOKEN. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
