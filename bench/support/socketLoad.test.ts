import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runSocketLoad } from './socketLoad.js';

let server: Server | undefined;

async function serve(handler: RequestListener): Promise<URL> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`);
}

function post(url: URL, id: () => string): () => Buffer {
  return () =>
    Buffer.from(
      `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\nx-id: ${id()}\r\ncontent-length: 2\r\n\r\n{}`,
    );
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

describe('runSocketLoad', () => {
  it('sends what request() makes, one at a time per connection, and counts every answer', async () => {
    const seen = new Set<string>();
    let open = 0;
    let mostOpen = 0;
    const url = await serve((req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      seen.add(String(req.headers['x-id']));
      req.resume();
      req.once('end', () => {
        open--;
        res.writeHead(202, { 'content-length': '2' }).end('ok');
      });
    });
    let n = 0;
    const result = await runSocketLoad({
      url,
      connections: 3,
      seconds: 0.3,
      request: post(url, () => `id-${n++}`),
    });
    expect(result.ok).toBeGreaterThan(10);
    expect(result.ok).toBe(seen.size);
    expect(n).toBe(result.ok);
    expect(mostOpen).toBeLessThanOrEqual(3);
    expect(result).toMatchObject({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(result.rps).toBeCloseTo(result.ok / result.seconds, 6);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  it('counts answers outside 2xx apart', async () => {
    const url = await serve((_req, res) => res.writeHead(401, { 'content-length': '0' }).end());
    const result = await runSocketLoad({ url, connections: 2, seconds: 0.2, request: post(url, () => 'x') });
    expect(result.ok).toBe(0);
    expect(result.non2xx).toBeGreaterThan(0);
  });

  it('opens a new connection when the server closes one after its answer', async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      res.writeHead(200, { 'content-length': '0', connection: 'close' }).end();
    });
    const result = await runSocketLoad({ url, connections: 2, seconds: 0.3, request: post(url, () => 'x') });
    expect(result.ok).toBeGreaterThan(2);
    expect(sockets.size).toBe(result.ok);
    expect(result.errors).toBe(0);
  });

  it('fails the run on an answer it cannot frame, saying why', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.end('chunked');
    });
    await expect(
      runSocketLoad({ url, connections: 1, seconds: 0.2, request: post(url, () => 'x') }),
    ).rejects.toThrow(/cannot frame \(it needs Content-Length\): HTTP\/1\.1 200 OK/);
  });

  it('fails the run when a request gets no answer in time', async () => {
    const url = await serve(() => undefined);
    await expect(
      runSocketLoad({ url, connections: 1, seconds: 5, timeoutMs: 200, request: post(url, () => 'x') }),
    ).rejects.toThrow('a request got no answer within 200 ms');
  });

  it('refuses a URL it cannot speak to', () => {
    expect(() =>
      runSocketLoad({
        url: new URL('https://127.0.0.1:1/'),
        connections: 1,
        seconds: 1,
        request: () => Buffer.alloc(0),
      }),
    ).toThrow('the generator speaks plain HTTP, not https:');
  });
});
