import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttemptOutcome, HttpClient } from './attemptOutcome.js';
import { createFetchClient } from './fetchClient.js';
import { createHttpClient, useHttpTransport } from './httpClient.js';
import { createSocketClient } from './socketClient.js';
import { createUndiciClient } from './undiciClient.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  rawHeaders: string[];
  body: string;
  remotePort: number | undefined;
}

let server: Server | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  useHttpTransport('network');
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  if (server !== undefined) {
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void) {
  const seen: Seen[] = [];
  let connections = 0;
  let closed = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort,
      });
      handler(req, res, seen);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, seen, connections: () => connections, closed: () => closed };
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const body = Buffer.from('{"name":"Zoë"}');
const at = (port: number, path = '/') => new URL(`http://127.0.0.1:${port}${path}`);
/** One attempt of the current client, with no headers of its own. */
const attempt = (url: URL, timeoutMs = 5000) =>
  (client as HttpClient).post({ url, body, timeoutMs, headers: [] });

/** Expects an outcome's latency to lie within the time its call took, measured around it. */
async function expectLatencyWithinCall(call: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> {
  const before = performance.now();
  const outcome = await call();
  const took = performance.now() - before;
  expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
  expect(outcome.latencyMs).toBeLessThanOrEqual(took);
  return outcome;
}

// Only the socket client's and undici's connections are the client's own: fetch's belong to its global pool.
const transports: [string, (concurrency: number) => HttpClient, boolean][] = [
  ['socket', (concurrency) => createSocketClient({ concurrency }), true],
  ['undici', (concurrency) => createUndiciClient({ concurrency }), true],
  ['fetch', () => createFetchClient(), false],
];

describe.each(transports)('the %s transport', (_name, create, ownsConnections) => {
  it('posts the body with the given headers (list or map) to the path and query', async () => {
    const { port, seen } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    client = create(1);
    const url = new URL(`http://127.0.0.1:${port}/hooks?x=1`);
    const first = await expectLatencyWithinCall(() =>
      (client as HttpClient).post({ url, body, timeoutMs: 5000, headers: ['webhook-id', 'msg_1'] }),
    );
    const second = await client.post({ url, body, timeoutMs: 5000, headers: { 'webhook-id': 'msg_2' } });

    expect(first).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(second).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(first.kind === 'response' && first.retryAfter).toBe(undefined);
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/hooks?x=1', '{"name":"Zoë"}'],
      ['POST', '/hooks?x=1', '{"name":"Zoë"}'],
    ]);
    const headers = (s: Seen | undefined) => {
      const raw = s?.rawHeaders ?? [];
      return Object.fromEntries(raw.flatMap((v, i) => (i % 2 === 0 ? [[v.toLowerCase(), raw[i + 1]]] : [])));
    };
    expect(headers(seen[0])).toMatchObject({
      host: `127.0.0.1:${port}`,
      'content-length': String(body.length),
      connection: 'keep-alive',
      'webhook-id': 'msg_1',
    });
    expect(headers(seen[1])).toMatchObject({ 'webhook-id': 'msg_2' });
    // The list and the map send the same headers: nothing more from either.
    expect(Object.keys(headers(seen[0])).sort()).toEqual(Object.keys(headers(seen[1])).sort());
    // Kept alive: the second attempt reuses the first one's connection.
    if (ownsConnections) expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort);
  });

  it('reports Retry-After on a non-2xx answer and keeps at most 2048 characters of the body', async () => {
    const { port } = await listen((_req, res) => {
      // Another 11-character name first, and the name in another case: found by name, in any case.
      res.writeHead(503, { 'x-padding-1': 'no', 'Retry-After': '7' });
      res.write('é'.repeat(1000));
      res.end('x'.repeat(5000));
    });
    client = create(1);
    const outcome = await attempt(at(port));
    expect(outcome).toMatchObject({ kind: 'response', status: 503, retryAfter: '7' });
    expect(outcome.kind === 'response' && outcome.body).toBe('é'.repeat(1000) + 'x'.repeat(1048));
  });

  it('ignores Retry-After on a 2xx answer (and reads an empty body as ""), not on a 3xx', async () => {
    const { port } = await listen((req, res) =>
      res.writeHead(Number(req.url?.slice(1)), { 'retry-after': '7' }).end(),
    );
    client = create(1);
    for (const status of [200, 204, 299]) {
      const outcome = await attempt(at(port, `/${status}`));
      expect(outcome).toEqual({ kind: 'response', status, body: '', latencyMs: expect.any(Number) });
    }
    expect(await attempt(at(port, '/300'))).toMatchObject({ kind: 'response', status: 300, retryAfter: '7' });
  });

  it('returns a redirect as it is, without following it', async () => {
    const { port, seen } = await listen((req, res) => {
      if (req.url === '/moved') res.writeHead(308, { location: '/elsewhere' }).end('moved');
      else res.writeHead(200).end('followed');
    });
    client = create(1);
    const outcome = await client.post({
      url: new URL(`http://127.0.0.1:${port}/moved`),
      body,
      timeoutMs: 5000,
      headers: [],
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 308, body: 'moved' });
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('turns a receiver that never answers into a timeout, and closes that connection', async () => {
    const { port, closed } = await listen(() => {});
    client = create(1);
    const outcome = await attempt(at(port), 30);
    expect(outcome).toMatchObject({ kind: 'timeout', message: 'no complete answer within 30 ms' });
    await until(() => closed() === 1);
  });

  it('turns a receiver that stalls in the middle of its body into a timeout', async () => {
    const { port } = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('part');
    });
    client = create(1);
    const outcome = await attempt(at(port), 100);
    expect(outcome).toMatchObject({ kind: 'timeout', message: 'no complete answer within 100 ms' });
  });

  it('turns a refused connection into a connection error naming ECONNREFUSED', async () => {
    const { port } = await listen(() => {});
    const closing = server as Server;
    server = undefined;
    await new Promise<void>((resolve) => closing.close(() => resolve()));
    client = create(1);
    const outcome = await expectLatencyWithinCall(() => attempt(at(port)));
    expect(outcome).toMatchObject({ kind: 'connection_error' });
    expect(outcome.kind === 'connection_error' && outcome.message).toContain('ECONNREFUSED');
  });

  it('turns a connection the receiver drops without answering into a connection error', async () => {
    const { port } = await listen((req) => req.socket.destroy());
    client = create(1);
    const outcome = await attempt(at(port));
    expect(outcome.kind).toBe('connection_error');
  });

  it('close ends the attempts in flight as connection errors, and so are attempts after it', async () => {
    const { port, seen } = await listen(() => {});
    client = create(1);
    const url = new URL(`http://127.0.0.1:${port}/`);
    const pending = attempt(url);
    await until(() => seen.length === 1);
    client.close();
    for (const outcome of [await pending, await attempt(url)]) {
      expect(outcome.kind).toBe('connection_error');
      // undici's words for its destroyed pool, or the fetch client's own.
      expect(outcome.kind === 'connection_error' && outcome.message).toMatch(
        /^(The client is destroyed|the HTTP client was closed)$/,
      );
    }
  });

  it('leaves no timer running once an attempt has ended (it would keep the process alive until the timeout)', async () => {
    const { port } = await listen((_req, res) => res.end('ok'));
    client = create(1);
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const clearTimer = vi.spyOn(globalThis, 'clearTimeout');
    // A duration nothing else uses, so that the timers armed with it are this attempt's deadline.
    const timeoutMs = 61_237;
    expect(await attempt(at(port), timeoutMs)).toMatchObject({ kind: 'response', status: 200 });
    const deadlineTimers = setTimer.mock.calls.flatMap((call, i) =>
      call[1] === timeoutMs ? [setTimer.mock.results[i]?.value] : [],
    );
    const cleared = new Set(clearTimer.mock.calls.map((call) => call[0]));
    expect(deadlineTimers.filter((timer) => !cleared.has(timer))).toEqual([]);
  });
});

const pooled: [string, (concurrency: number) => HttpClient][] = [
  ['socket', (concurrency) => createSocketClient({ concurrency })],
  ['undici', (concurrency) => createUndiciClient({ concurrency })],
];

describe.each(pooled)('the %s transport', (_name, create) => {
  it('reads Retry-After from the final answer only, and the first of several', async () => {
    const { port } = await listen((req, res) => {
      if (req.url === '/hints') {
        res.writeEarlyHints({ link: '</style.css>; rel=preload', 'retry-after': '5' });
        res.writeHead(503).end();
      } else res.writeHead(429, ['Retry-After', '7', 'Retry-After', '9']).end();
    });
    client = create(1);
    const hinted = await attempt(at(port, '/hints'));
    expect(hinted).toMatchObject({ kind: 'response', status: 503 });
    expect(hinted.kind === 'response' && 'retryAfter' in hinted).toBe(false);
    expect(await attempt(at(port, '/twice'))).toMatchObject({ status: 429, retryAfter: '7' });
  });

  it('refuses a header value that would split the request, and sends nothing', async () => {
    const { port, seen } = await listen((_req, res) => res.end('ok'));
    client = create(1);
    const outcome = await client.post({
      url: at(port),
      body,
      timeoutMs: 5000,
      headers: ['webhook-id', 'msg_1\r\nx-injected: yes'],
    });
    expect(outcome.kind).toBe('connection_error');
    expect((await attempt(at(port))).kind).toBe('response');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.rawHeaders).not.toContain('x-injected');
  });

  it('opens at most `concurrency` connections, however many attempts are made at once', async () => {
    const held: ServerResponse[] = [];
    const { port, seen, connections } = await listen((_req, res) => {
      held.push(res);
      // Hold the first two answers until both arrived, so both connections must be open at once.
      if (held.length >= 2) for (const waiting of held.splice(0)) waiting.end('ok');
    });
    client = create(2);
    const url = new URL(`http://127.0.0.1:${port}/`);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => attempt(url)));
    expect(outcomes.map((o) => o.kind === 'response' && o.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(seen).toHaveLength(6);
    expect(connections()).toBe(2);
  });

  it('times out an attempt still waiting for a free connection, and it never reaches the receiver', async () => {
    let release: (() => void) | undefined;
    const { port, seen } = await listen((_req, res) => {
      if (release === undefined) release = () => res.end('ok');
      else res.end('ok');
    });
    client = create(1);
    const url = new URL(`http://127.0.0.1:${port}/`);
    const first = client.post({ url, body, timeoutMs: 5000, headers: ['webhook-id', 'first'] });
    await until(() => seen.length === 1);
    const queued = await client.post({ url, body, timeoutMs: 30, headers: ['webhook-id', 'queued'] });
    expect(queued).toMatchObject({ kind: 'timeout', message: 'no complete answer within 30 ms' });
    // Free the connection: the next attempt goes out on it, and the timed-out one never did.
    release?.();
    expect((await first).kind).toBe('response');
    expect((await client.post({ url, body, timeoutMs: 5000, headers: ['webhook-id', 'next'] })).kind).toBe(
      'response',
    );
    expect(seen.map((s) => s.rawHeaders[s.rawHeaders.indexOf('webhook-id') + 1])).toEqual(['first', 'next']);
  });
});

describe('the socket transport', () => {
  it("does not reuse a connection idle for longer than the receiver's Keep-Alive timeout less a second", async () => {
    const { port, seen } = await listen((_req, res) => res.end('ok'));
    // Announced as `Keep-Alive: timeout=1`: an idle connection may then be reused for 0 ms.
    (server as Server).keepAliveTimeout = 1000;
    client = createSocketClient({ concurrency: 1 });
    expect((await attempt(at(port))).kind).toBe('response');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await attempt(at(port))).kind).toBe('response');
    expect(seen[1]?.remotePort).not.toBe(seen[0]?.remotePort);
  });
});

describe('useHttpTransport', () => {
  it('makes createHttpClient use the global fetch (what msw patches) when "fetch" is selected', async () => {
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: URL) => {
      fetched.push(url.href);
      return new Response('from fetch', { status: 202 });
    });
    useHttpTransport('fetch');
    client = createHttpClient({ concurrency: 1 });
    const outcome = await client.post({
      url: new URL('http://receiver.test/hooks'),
      body,
      timeoutMs: 5000,
      headers: [],
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 202, body: 'from fetch' });
    expect(fetched).toEqual(['http://receiver.test/hooks']);
  });

  it('uses its own sockets by default, which the global fetch never sees', async () => {
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: URL) => {
      fetched.push(url.href);
      return new Response('from fetch', { status: 202 });
    });
    const { port } = await listen((_req, res) => res.writeHead(200).end('from the socket'));
    client = createHttpClient({ concurrency: 1 });
    const outcome = await attempt(at(port));
    expect(outcome).toMatchObject({ kind: 'response', status: 200, body: 'from the socket' });
    expect(fetched).toEqual([]);
  });
});
