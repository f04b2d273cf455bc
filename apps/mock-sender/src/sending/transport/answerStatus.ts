// What a receiver said it did with a delivery it answered 2xx: the `status` field of the answer's
// JSON body (this project's receiver says accepted, duplicate, unhandled or quarantined; see
// `WebhookAnswer` in the schema package, whose words `answerStatuses` lists). Two 200s can mean
// "stored" and "kept aside as off contract"; only this field tells them apart. The body comes from a
// receiver the sender does not trust, so only a short plain word is taken as it is.
import { answerStatuses } from '@webhook-contracts/schema/constants';

/** The statuses the contract's 2xx answer declares, in its order. */
export const ANSWER_STATUSES: readonly string[] = answerStatuses;

/** A 2xx answer without a readable `status` field (an empty body, text, another shape). */
export const NO_ANSWER_STATUS = 'none';
/** A `status` that is not a short plain word. */
export const OTHER_ANSWER_STATUS = 'other';

const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;

/**
 * The `status` a 2xx answer body declares: a short plain word as it is, `other` for any other
 * string, `none` when the body has no string `status`.
 *
 * @example
 * answerStatus('{"status":"quarantined","webhook_id":"msg_1"}'); // 'quarantined'
 * answerStatus(''); // 'none'
 */
export function answerStatus(body: string): string {
  // Cheap pre-check: a body without the word cannot carry the field (most of a fast run's answers
  // are the same few bytes, and parsing each costs more than this scan).
  if (!body.includes('"status"')) return NO_ANSWER_STATUS;
  let status: unknown;
  try {
    status = (JSON.parse(body) as { status?: unknown } | null)?.status;
  } catch {
    return NO_ANSWER_STATUS;
  }
  if (typeof status !== 'string') return NO_ANSWER_STATUS;
  return PLAIN_WORD.test(status) ? status : OTHER_ANSWER_STATUS;
}
