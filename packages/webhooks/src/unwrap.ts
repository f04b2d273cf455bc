// The step after verification: bytes -> JSON -> contract (parsePayload). Only this step narrows a
// delivery to a typed event; a correctly signed event of a type we do not know is returned, not
// rejected.
import { type Envelope, formatContractError, type KnownEvent } from '@webhook-contracts/schema';
import { WebhookPayloadError } from './errors.js';
import { parsePayload } from './parsePayload.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';

export type UnwrapResult = VerifiedDelivery &
  ({ kind: 'event'; event: KnownEvent } | { kind: 'unknown_event'; type: string; envelope: Envelope });

/**
 * Parses and validates the body of an already verified delivery.
 *
 * @throws {WebhookPayloadError} `invalid_json` when the body is not UTF-8 JSON, `contract_violation`
 *   with the first 20 field errors, `errorCount` and the body's `type` when it breaks the contract;
 *   both carry the delivery.
 * @example
 * const result = unwrapDelivery(webhook.verify(req.headers, req.body));
 * if (result.kind === 'event') console.log(result.event.data.user.username);
 */
export function unwrapDelivery(delivery: VerifiedDelivery): UnwrapResult {
  const { id, timestamp, body } = delivery;
  const parsed = parsePayload(body);
  switch (parsed.kind) {
    case 'event':
      return { id, timestamp, body, kind: 'event', event: parsed.event };
    case 'unknown_event':
      return { id, timestamp, body, kind: 'unknown_event', type: parsed.type, envelope: parsed.envelope };
    case 'invalid_json':
      throw new WebhookPayloadError(
        'invalid_json',
        `The webhook body is not valid UTF-8 JSON (${parsed.detail}): the delivery is authentic, so keep it for inspection.`,
        parsed.errors,
        delivery,
        { cause: parsed.cause },
      );
    case 'invalid': {
      const shown = parsed.errors.slice(0, 5).map(formatContractError);
      const rest = parsed.errorCount - shown.length;
      const more = rest > 0 ? ` and ${parsed.complete ? '' : 'at least '}${rest} more` : '';
      throw new WebhookPayloadError(
        'contract_violation',
        `The webhook body breaks the event contract: ${shown.join('; ')}${more}.`,
        parsed.errors,
        delivery,
        { errorCount: parsed.errorCount, type: parsed.type },
      );
    }
  }
}
