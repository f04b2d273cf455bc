// The receiver's error classes. Each has a stable `code` a caller can branch on; the ones that map
// to an HTTP answer carry their `status` too. An HTTP refusal is the kit's HttpError.

/** Start-up configuration is wrong. `issues` lists every mistake found (never secret values). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options?: ErrorOptions) {
    super(
      issues.length === 1
        ? `Invalid configuration: ${issues[0]}`
        : `Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      options,
    );
    this.issues = issues;
  }
}

/** The port cannot be listened on; the message says which setting to change. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export type StoreErrorCode =
  | 'store_unavailable'
  | 'store_overloaded'
  | 'unstorable_delivery'
  | 'store_in_use'
  | 'unsupported_database'
  | 'store_closed'
  | 'invalid_cursor';

/**
 * The store cannot do what was asked. `store_unavailable` and `store_overloaded` (its pending-insert
 * queue is full) may pass if retried; `unstorable_delivery` is a delivery the database refuses
 * whatever the load, so a retry could never succeed; `invalid_cursor` is a paging cursor the store
 * did not issue; `store_in_use` (another process holds the SQLite file), `unsupported_database` and
 * `store_closed` are programming or deployment mistakes. The HTTP layer picks the status each code
 * is answered with (http/storeErrorStatus.ts).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
