// What the example consumers hand to a team's code: one forwarded event that passed the contract,
// with the CloudEvents attributes its message carried, and what they report for one that did not.
import type { ValidationResult } from '@webhook-contracts/schema';

export interface ConsumedEvent {
  /** The webhook-id: the message id on every destination, and the key to dedupe on. */
  id: string;
  /** CloudEvents attributes from the message headers (`ce-*`, or `cloudEvents_*` on AMQP). */
  cloudEvent: { type: string; source: string; time: string | undefined; specversion: string };
  /** The body, validated: a known event, or the envelope of a type this contract does not know. */
  payload: Exclude<ValidationResult, { kind: 'invalid' }>;
}

/** The team's code; a throw means "not handled": the message comes again. */
export type EventHandler = (event: ConsumedEvent) => Promise<void>;

/** A message refused for good: no id, or a body that breaks the contract. */
export interface Rejection {
  /** Its message id, or '' when it had none. */
  id: string;
  reason: string;
}

/** The body as JSON, or undefined when it is not JSON (validateEvent then reports it). */
export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
}
