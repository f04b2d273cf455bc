// The typed fetch both pages call their server with: the bearer token, no cache, a JSON body when
// one is given, and a refusal read as the schema package's error body.
import type { ErrorBody } from '@webhook-contracts/schema';
import { ApiError } from './ApiError.ts';

export interface ApiInit {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
}

export interface ApiClientOptions {
  /** Where the API's paths are relative to (the page's own URL, or one level up). */
  base: URL;
  /** The server as the page names it in messages: "receiver", "sender". */
  server: string;
  /** The server's setting that holds the token (`RECEIVER_API_TOKEN`), named on the login form. */
  tokenSetting: string;
  /** A cheap authenticated route: the login form tries a token on it before keeping it. */
  tokenCheckPath: string;
  /** One entry of an error body's `details` in words, appended to the message; without it, details are not shown. */
  describeDetail?: (detail: unknown) => string;
}

export interface ApiClient extends Pick<ApiClientOptions, 'server' | 'tokenSetting' | 'tokenCheckPath'> {
  /** Fetches `path` with the token; the parsed JSON (or the text when it is not JSON); a non-2xx answer throws ApiError. */
  fetch<T>(token: string, path: string, init?: ApiInit): Promise<T>;
}

const errorOf = (body: unknown): Partial<ErrorBody['error']> | undefined =>
  typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object'
    ? (body.error as Partial<ErrorBody['error']>)
    : undefined;

/**
 * An API client for one server.
 *
 * @example
 * const client = createApiClient({
 *   base: new URL('../', window.location.href),
 *   server: 'receiver',
 *   tokenSetting: 'RECEIVER_API_TOKEN',
 *   tokenCheckPath: 'events?limit=1',
 * });
 * const page = await client.fetch<EventPage>(token, 'events?limit=1');
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { base, server, tokenSetting, tokenCheckPath, describeDetail } = options;
  return {
    server,
    tokenSetting,
    tokenCheckPath,
    async fetch<T>(token: string, path: string, init: ApiInit = {}): Promise<T> {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(new URL(path, base), {
          method: init.method ?? 'GET',
          headers,
          cache: 'no-store',
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
      } catch {
        throw new ApiError(0, 'network_error', `The ${server} did not answer: is it running?`);
      }
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON (the receiver's /metrics is text): handed back as the string.
      }
      if (!res.ok) {
        const error = errorOf(body);
        const details =
          describeDetail === undefined || !Array.isArray(error?.details)
            ? ''
            : error.details.map(describeDetail).join('; ');
        const message = `${error?.message ?? `HTTP ${res.status}`}${details === '' ? '' : ` (${details})`}`;
        throw new ApiError(res.status, error?.code ?? `http_${res.status}`, message);
      }
      return body as T;
    },
  };
}
