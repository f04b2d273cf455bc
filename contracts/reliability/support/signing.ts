// One builder for signed deliveries, so every scenario signs exactly as a real sender does.
import { randomBytes } from 'node:crypto';
import { signedHeaders } from '@webhook-contracts/webhooks';
import type { RawHeader } from './rawHttp.js';

/** A fresh `whsec_<base64>` endpoint secret. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The three Standard Webhooks headers for `body`, as raw header pairs. */
export function signedRawHeaders(
  secret: string,
  id: string,
  body: Buffer,
  timestamp = nowSeconds(),
): RawHeader[] {
  const headers = signedHeaders({ secret, id, timestamp, body });
  return [
    ['webhook-id', headers['webhook-id']],
    ['webhook-timestamp', headers['webhook-timestamp']],
    ['webhook-signature', headers['webhook-signature']],
    ['content-type', 'application/json'],
  ];
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
