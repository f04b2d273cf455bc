/**
 * A refusal of an HTTP request: its `status`, a stable `code` a client can branch on, a message
 * saying what was wrong and what to do, optional structured `details`, and the extra headers the
 * answer needs (`WWW-Authenticate`, `Retry-After`). Answered as the schema package's ErrorBody by
 * sendHttpError. The native `cause` keeps what went wrong underneath, for the log only.
 *
 * @example
 * throw new HttpError(429, 'too_many_runs', '4 runs are in progress: retry after one ends', {
 *   headers: { 'retry-after': '5' },
 * });
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: ErrorOptions & { details?: readonly unknown[]; headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options?.details === undefined ? undefined : [...options.details];
    this.headers = options?.headers ?? {};
  }
}
