// An HTTP-level refusal of the serve service: its status, a stable `code` and a message saying what
// to do. Rendered as `{ "error": { "code", "message", "details"? } }`.

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    /** Extra response headers (WWW-Authenticate, Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
