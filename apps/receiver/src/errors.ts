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
 * queue is full) map to HTTP 503 (the sender retries); `unstorable_delivery` (422) is a delivery the
 * database refuses whatever the load, so a retry could never succeed; `invalid_cursor` (400) is a
 * paging cursor the store did not issue; `store_in_use` (another process holds the SQLite file),
 * `unsupported_database` and `store_closed` are programming or deployment mistakes.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly status: 400 | 422 | 503;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = code === 'invalid_cursor' ? 400 : code === 'unstorable_delivery' ? 422 : 503;
  }
}
