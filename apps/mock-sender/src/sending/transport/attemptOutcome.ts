// What every HTTP transport of the sender shares: the shape of a request and of its outcome, the
// capped response body, and how a per-attempt timeout is told apart from a connection error. Each
// transport turns every outcome into a value (a response, a timeout or a connection error) and
// never follows redirects.

export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string; body: string; latencyMs: number }
  | { kind: 'timeout' | 'connection_error'; message: string; latencyMs: number };

export interface PostRequest {
  url: URL;
  /** A name → value map, or a flat `[name, value, name, value, …]` list (cheaper on the hot path). */
  headers: Readonly<Record<string, string>> | readonly string[];
  body: Buffer;
  timeoutMs: number;
}

export interface HttpClient {
  /** Resolves with the outcome of one attempt; never rejects. */
  post(request: PostRequest): Promise<AttemptOutcome>;
  /** Closes every connection: attempts in flight and later ones end as connection errors. */
  close(): void;
}

/** Keep at most this much of a response body (for the check table and diagnostics). */
export const MAX_BODY_CHARS = 2048;
// UTF-8 takes at most 4 bytes per character: this many bytes always cover the cap.
const MAX_BODY_BYTES = MAX_BODY_CHARS * 4;

/** The error a transport aborts an attempt with when its deadline passes. */
export class RequestTimeout extends Error {}

/**
 * The first MAX_BODY_CHARS characters of a response body. Raw chunks are kept and decoded once at
 * the end: most answers are empty, and a decoder per response would cost every one of them.
 */
export class CappedBody {
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;

  /** False once the cap is reached: later chunks would be dropped. */
  get wants(): boolean {
    return this.kept < MAX_BODY_BYTES;
  }

  add(chunk: Uint8Array): void {
    if (this.kept >= MAX_BODY_BYTES) return;
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  text(): string {
    const { chunks } = this;
    if (chunks.length === 0) return '';
    const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text;
  }
}

/** The outcome of an attempt that got a complete answer (Retry-After as the transport kept it). */
export function responseOutcome(
  status: number,
  body: CappedBody,
  retryAfter: string | undefined,
  started: number,
): AttemptOutcome {
  const outcome: AttemptOutcome = {
    kind: 'response',
    status,
    body: body.text(),
    latencyMs: performance.now() - started,
  };
  if (retryAfter !== undefined) outcome.retryAfter = retryAfter;
  return outcome;
}

/** The outcome of an attempt that ended without a complete answer. */
export function failedOutcome(error: unknown, timeoutMs: number, latencyMs: number): AttemptOutcome {
  if (error instanceof RequestTimeout) {
    return { kind: 'timeout', message: `no complete answer within ${timeoutMs} ms`, latencyMs };
  }
  return { kind: 'connection_error', message: errorMessage(error), latencyMs };
}

/** fetch wraps the socket's error (the one naming the errno) in a generic TypeError's `cause`. */
function errorMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Error && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
