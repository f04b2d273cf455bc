// Every call the page makes to the receiver: the read API with the bearer token, and /metrics.
// The receiver serves the page at <base>/inspect/, so the API lives one level up.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const apiBase = new URL('../', window.location.href);

/** Fetches `path` (relative to the receiver's root) with the token; a non-2xx answer throws ApiError. */
export async function apiFetch<T>(token: string, path: string, init: { method?: string } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, apiBase), {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The receiver did not answer: is it running?');
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (/metrics is text): handed back as the string.
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `HTTP ${res.status}`,
    );
  }
  return body as T;
}

export const statuses = ['received', 'processed', 'failed', 'quarantined', 'unhandled'] as const;
export type EventStatus = (typeof statuses)[number];

export interface EventError {
  pointer: string;
  message: string;
}

export interface EventSummary {
  webhook_id: string;
  /** Null when the body was not JSON with a string `type`. */
  type: string | null;
  status: EventStatus;
  /** The first contract errors (at most 20); `error_count` says how many were found in all. */
  errors: EventError[] | null;
  error_count: number | null;
  errors_truncated: boolean;
  deliveries_seen: number;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
}

export interface EventRecord extends EventSummary {
  headers: Record<string, string>;
  payload?: unknown;
  payload_text?: string;
}

export interface EventPage {
  events: EventSummary[];
  next_cursor?: string | null;
}

export interface ProgressRow {
  user_id: string;
  course_id: string;
  completed_lessons: number;
  lesson_ids: string[];
  last_completed_at: string | null;
}

/** /progress answers a plain list or, paged, a list with next_cursor. */
export interface ProgressPage {
  progress: ProgressRow[];
  next_cursor?: string | null;
}

export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
