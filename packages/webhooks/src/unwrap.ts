// The step after verification: bytes -> JSON -> contract. Only this step narrows a delivery to a
// typed event; a correctly signed event of a type we do not know is returned, not rejected.
import {
  boundText,
  type Envelope,
  formatContractError,
  type KnownEvent,
  validateEvent,
} from '@webhook-contracts/schema';
import { WebhookPayloadError } from './errors.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';

export type UnwrapResult = VerifiedDelivery &
  ({ kind: 'event'; event: KnownEvent } | { kind: 'unknown_event'; type: string; envelope: Envelope });

// fatal: invalid UTF-8 is not JSON (RFC 8259 requires UTF-8); never silently turn it into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates the body of an already verified delivery.
 *
 * @throws {WebhookPayloadError} `invalid_json` when the body is not UTF-8 JSON, `contract_violation`
 *   with the first 20 field errors and `errorCount` when it breaks the contract; both carry the
 *   delivery.
 * @example
 * const result = unwrapDelivery(webhook.verify(req.headers, req.body));
 * if (result.kind === 'event') console.log(result.event.data.user.username);
 */
export function unwrapDelivery(delivery: VerifiedDelivery): UnwrapResult {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(delivery.body));
  } catch (cause) {
    // V8 quotes a little of the body in its message; bounded like every contract error's text.
    const detail = boundText(cause instanceof Error ? cause.message : String(cause));
    throw new WebhookPayloadError(
      'invalid_json',
      `The webhook body is not valid UTF-8 JSON (${detail}): the delivery is authentic, so keep it for inspection.`,
      [{ pointer: '', message: detail }],
      delivery,
      { cause },
    );
  }
  const result = validateEvent(value);
  switch (result.kind) {
    case 'event':
      return {
        id: delivery.id,
        timestamp: delivery.timestamp,
        body: delivery.body,
        kind: 'event',
        event: result.event,
      };
    case 'unknown_event':
      return {
        id: delivery.id,
        timestamp: delivery.timestamp,
        body: delivery.body,
        kind: 'unknown_event',
        type: result.type,
        envelope: result.envelope,
      };
    case 'invalid': {
      const shown = result.errors.slice(0, 5).map(formatContractError);
      const rest = result.errorCount - shown.length;
      const more = rest > 0 ? ` and ${result.complete ? '' : 'at least '}${rest} more` : '';
      throw new WebhookPayloadError(
        'contract_violation',
        `The webhook body breaks the event contract: ${shown.join('; ')}${more}.`,
        result.errors,
        delivery,
        { errorCount: result.errorCount },
      );
    }
  }
}
