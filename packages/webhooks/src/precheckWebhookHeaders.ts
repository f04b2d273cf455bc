// The checks of a delivery that need only its headers, so a server can refuse a request before it
// reads (and buffers) the body. verify() runs the same checks again, in the same order.
import type { HeaderSource, WebhookHeaders } from './headers.js';
import { readWebhookHeaders } from './headers.js';
import {
  checkTolerance,
  parseTimestamp,
  resolveVerifyOptions,
  type VerifyOptions,
  v1Candidates,
} from './verify.js';

/**
 * Runs every header-only check of verification: the three headers present, the timestamp digits
 * and within the tolerance, at least one well-formed `v1,` entry. Passing says nothing about the
 * signature itself: verify the body afterwards.
 *
 * @throws {WebhookVerificationError} with the code verify() would report for these headers.
 * @example
 * precheckWebhookHeaders(req.headers, { toleranceSeconds: 300 }); // throws before the body is read
 */
export function precheckWebhookHeaders(headers: HeaderSource, options?: VerifyOptions): WebhookHeaders {
  const settings = resolveVerifyOptions(options);
  const header = readWebhookHeaders(headers);
  checkTolerance(parseTimestamp(header.timestamp), settings);
  v1Candidates(header.signature);
  return header;
}
