/** A call the page made that did not answer 2xx: the HTTP status (0 when nothing answered) and the server's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
