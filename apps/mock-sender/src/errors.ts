// The mock sender's error classes. Each has a stable `code`; `status` is what the serve endpoints
// answer and `exitCode` what the CLI exits with.

export type SenderConfigErrorCode =
  | 'missing_secret'
  | 'invalid_option'
  | 'unknown_example'
  | 'invalid_override'
  | 'invalid_request'
  | 'invalid_source';

/** Bad options or configuration: the run cannot start (CLI exit 2, HTTP 400). */
export class SenderConfigError extends Error {
  override readonly name = 'SenderConfigError';
  readonly status = 400;
  readonly exitCode = 2;
  constructor(
    readonly code: SenderConfigErrorCode,
    message: string,
    readonly details?: unknown[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The event generator produced an event that fails the contract: a bug in the generator. */
export class GeneratorError extends Error {
  override readonly name = 'GeneratorError';
  readonly code = 'generated_event_invalid';
  readonly status = 500;
  readonly exitCode = 1;
}

/** The secret was not given anywhere: the message tells the user where to put it. */
export function missingSecretError(): SenderConfigError {
  return new SenderConfigError(
    'missing_secret',
    'WEBHOOK_SECRET is not set: pass the endpoint secret (whsec_… or ws_…) with --secret or the env',
  );
}
