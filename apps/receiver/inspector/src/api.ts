// Every call the page makes to the receiver: the read API with the bearer token, and /metrics.
// The receiver serves the page at <base>/inspect/, so the API lives one level up. The answers'
// shapes are the schema package's (EventPage, EventRecord, ProgressPage, …).
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

export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
