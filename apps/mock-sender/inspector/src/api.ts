// Every call the page makes to `mock-sender serve`, with the bearer token. The page is served at
// the service's root, so the API paths are relative to it.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const apiBase = new URL('./', window.location.href);

/** Fetches `path` with the token (a JSON body when `body` is given); a non-2xx answer throws ApiError. */
export async function apiFetch<T>(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(path, apiBase), {
      method: init.method ?? 'GET',
      headers,
      cache: 'no-store',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The sender did not answer: is it running?');
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: handed back as the string.
  }
  if (!res.ok) {
    const error = (
      body as {
        error?: { code?: string; message?: string; details?: { field?: string; message?: string }[] };
      } | null
    )?.error;
    const details = (error?.details ?? []).map((d) => `${d.field ?? ''}: ${d.message ?? ''}`).join('; ');
    const message = `${error?.message ?? `HTTP ${res.status}`}${details === '' ? '' : ` (${details})`}`;
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, message);
  }
  return body as T;
}

export interface ExampleInfo {
  name: string;
  event: string;
  kind: 'valid' | 'invalid' | 'unknown';
  description: string;
}

export interface Attempt {
  status: number | 'timeout' | 'connection_error';
  latencyMs: number;
  at: string;
  delayMs?: number;
  reason?: string;
}

export interface Delivery {
  id: string;
  type: string;
  to: string;
  delivered: boolean;
  status: number | string;
  attempts: Attempt[];
}

export interface SendSummary {
  to: string;
  sent: number;
  events: number;
  delivered: number;
  failed: number;
  attempts: number;
  byStatus: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  notSent: number;
  durationMs: number;
}

export interface CheckResult {
  case: string;
  expected: 'accept' | 'reject';
  got: number | string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  reason?: string;
}

export interface CheckReport {
  to: string;
  passed: boolean;
  results: CheckResult[];
  diagnosis?: string;
}

export interface Run {
  id: string;
  kind: 'send' | 'check';
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'error';
  started_at: string;
  finished_at?: string;
  progress: { done: number; delivered: number; failed: number };
  result?: unknown;
  error?: { code: string; message: string };
}
