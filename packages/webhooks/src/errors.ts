// The three ways receiving a webhook can fail, each with a stable `code` a caller can branch on:
// configuration (our side, at start-up), verification (401: not provably from the sender) and
// payload (422: authentic, but not JSON or not the contract; keep it for inspection).
import type { ContractError } from '@webhook-contracts/schema';
import type { VerifiedDelivery } from './VerifiedDelivery.js';

export type WebhookConfigErrorCode = 'invalid_secret' | 'invalid_options';

/** A secret or option we were given cannot be used. Raised at configuration time, never per request. */
export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError';
  readonly code: WebhookConfigErrorCode;

  constructor(code: WebhookConfigErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export type WebhookVerificationErrorCode =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'invalid_signature_header'
  | 'no_matching_signature';

/** The delivery could not be shown to come from the holder of the secret: answer 401 and drop it. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly code: WebhookVerificationErrorCode;
  readonly status = 401 as const;

  constructor(code: WebhookVerificationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export type WebhookPayloadErrorCode = 'invalid_json' | 'contract_violation';

/**
 * The delivery is authentic but its body is not JSON or breaks the event contract. It carries the
 * verified delivery so a receiver can quarantine the exact bytes; answer 422.
 */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
  readonly code: WebhookPayloadErrorCode;
  readonly status = 422 as const;
  /** The first errors, at most the schema package's maxListedContractErrors (20). */
  readonly errors: ContractError[];
  /** How many errors were found, listed or not (at least `errors.length`; see validateEvent). */
  readonly errorCount: number;
  /**
   * The body's `type` when it is JSON with a string `type` (null otherwise), so a receiver can file
   * a quarantined delivery under its type without parsing the body again.
   */
  readonly type: string | null;
  readonly delivery: VerifiedDelivery;

  constructor(
    code: WebhookPayloadErrorCode,
    message: string,
    errors: ContractError[],
    delivery: VerifiedDelivery,
    options?: ErrorOptions & { errorCount?: number; type?: string | null },
  ) {
    super(message, options);
    this.code = code;
    this.errors = errors;
    this.errorCount = Math.max(options?.errorCount ?? errors.length, errors.length);
    this.type = options?.type ?? null;
    this.delivery = delivery;
  }
}
