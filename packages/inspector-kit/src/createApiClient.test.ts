import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './ApiError.ts';
import { createApiClient } from './createApiClient.ts';
import { messageOf } from './messageOf.ts';

const base = new URL('http://receiver.test/base/');
const options = {
  base,
  server: 'receiver',
  tokenSetting: 'RECEIVER_API_TOKEN',
  tokenCheckPath: 'events?limit=1',
};
const server = setupServer();
const seen: Request[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

/** The server refuses `path` (under the base) with `error` as the body's error. */
const refuse = (method: 'get' | 'post', path: string, status: number, error: Record<string, unknown>) =>
  server.use(http[method](new URL(path, base).href, () => HttpResponse.json({ error }, { status })));

const failure = async (promise: Promise<unknown>): Promise<ApiError> => {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
};

describe('createApiClient', () => {
  it('sends the bearer token to the path under the base and hands back the parsed JSON', async () => {
    server.use(
      http.get('http://receiver.test/base/events', ({ request }) => {
        seen.push(request);
        return HttpResponse.json({ events: [], next_cursor: null });
      }),
    );
    const page = await createApiClient(options).fetch(' tok', 'events?limit=1');
    expect(page).toEqual({ events: [], next_cursor: null });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('http://receiver.test/base/events?limit=1');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer  tok');
    expect(seen[0]!.headers.get('content-type')).toBeNull();
  });

  it('sends a body as JSON with its content type', async () => {
    server.use(
      http.post('http://receiver.test/base/send', async ({ request }) => {
        seen.push(request.clone());
        return HttpResponse.json({ run: { id: 'run_1' } }, { status: 202 });
      }),
    );
    await createApiClient(options).fetch('t', 'send', { method: 'POST', body: { to: 'x', wait: false } });
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(await seen[0]!.json()).toEqual({ to: 'x', wait: false });
  });

  it('hands back a body that is not JSON as its text', async () => {
    server.use(http.get('http://receiver.test/metrics', () => HttpResponse.text('webhook_up 1\n')));
    const client = createApiClient({ ...options, base: new URL('http://receiver.test/inspect/') });
    expect(await client.fetch('t', '../metrics')).toBe('webhook_up 1\n');
  });

  it("reads a refusal's code and message from the error body", async () => {
    refuse('get', 'events', 400, {
      code: 'invalid_query',
      message: 'limit must be 1 to 500',
      details: [{ parameter: 'limit' }],
    });
    const error = await failure(createApiClient(options).fetch('t', 'events?limit=0'));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'invalid_query',
      'limit must be 1 to 500',
    ]);
    expect(messageOf(error)).toBe('limit must be 1 to 500 (invalid_query)');
  });

  it('appends the details in the words of describeDetail when given', async () => {
    refuse('post', 'send', 400, {
      code: 'invalid_request',
      message: 'The body is not a valid send request',
      details: [
        { field: 'to', message: 'must be a URL' },
        { field: 'generate', message: 'must be at most 10000' },
      ],
    });
    const client = createApiClient({
      ...options,
      describeDetail: (detail) => {
        const { field, message } = detail as { field: string; message: string };
        return `${field}: ${message}`;
      },
    });
    const error = await failure(client.fetch('t', 'send', { method: 'POST', body: {} }));
    expect(error.message).toBe(
      'The body is not a valid send request (to: must be a URL; generate: must be at most 10000)',
    );
  });

  it('names the status when the refusal has no error body', async () => {
    server.use(
      http.get('http://receiver.test/base/events', () => HttpResponse.text('Bad gateway', { status: 502 })),
    );
    const error = await failure(createApiClient(options).fetch('t', 'events'));
    expect([error.status, error.code, error.message]).toEqual([502, 'http_502', 'HTTP 502']);
  });

  it('says the server did not answer when the request fails', async () => {
    server.use(http.get('http://receiver.test/base/events', () => HttpResponse.error()));
    const error = await failure(createApiClient(options).fetch('t', 'events'));
    expect([error.status, error.code, error.message]).toEqual([
      0,
      'network_error',
      'The receiver did not answer: is it running?',
    ]);
  });
});
