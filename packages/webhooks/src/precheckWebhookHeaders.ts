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
import { schemeCandidates } from './verifyKeySet.js';
import type { SignatureScheme } from './webhookKeys.js';

export interface PrecheckOptions extends VerifyOptions {
  /** The schemes the endpoint verifies (`webhook.schemes`). Default `['v1']`. */
  schemes?: readonly SignatureScheme[];
}

/**
 * Runs every header-only check of verification: the three headers present, the timestamp digits
 * and within the tolerance, at least one well-formed entry of a scheme the endpoint verifies (`v1,`
 * unless `schemes` says otherwise). Passing says nothing about the
 * signature itself: verify the body afterwards.
 *
 * @throws {WebhookVerificationError} with the code verify() would report for these headers.
 * @example
 * precheckWebhookHeaders(req.headers, { toleranceSeconds: 300, schemes: webhook.schemes }); // throws before the body is read
 */
export function precheckWebhookHeaders(headers: HeaderSource, options?: PrecheckOptions): WebhookHeaders {
  const settings = resolveVerifyOptions(options);
  const header = readWebhookHeaders(headers);
  checkTolerance(parseTimestamp(header.timestamp), settings);
  const schemes = options?.schemes;
  if (schemes === undefined || (schemes.length === 1 && schemes[0] === 'v1')) v1Candidates(header.signature);
  else schemeCandidates(header.signature, schemes);
  return header;
}
