import { randomBytes } from 'node:crypto';

/**
 * A fresh random token (256 bits, base64url: 43 characters, within the bearer token rule) for a
 * service started without SENDER_API_TOKEN.
 *
 * @example
 * generateToken(); // 'Zk3…' (43 characters)
 */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
