import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawConnection } from '../test-support/rawHttp.js';
import { createHttpServer, type HttpServerLimits } from './createHttpServer.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose handler reads the whole body, then answers 200 with its length. */
async function listen(limits: HttpServerLimits): Promise<number> {
  server = createHttpServer((req, res) => {
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
    });
    req.on('end', () => res.end(String(length)));
  }, limits);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const quick = { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 10 };

describe('createHttpServer', () => {
  it('sets the timeouts and the connection limit it is given, and a 5 s keep-alive by default', async () => {
    await listen(quick);
    expect(server).toMatchObject({
      headersTimeout: 300,
      requestTimeout: 600,
      maxConnections: 10,
      keepAliveTimeout: 5000,
      // A quarter of the header timeout, between 100 ms and 1 s.
      connectionsCheckingInterval: 100,
    });
    await new Promise((resolve) => server?.close(resolve));
    await listen({ ...quick, keepAliveTimeoutMs: 1234 });
    expect(server?.keepAliveTimeout).toBe(1234);
  });

  it('looks for requests past their timeouts every quarter of the header timeout, from 100 ms to 1 s', () => {
    const interval = (headersTimeoutMs: number) => {
      // Not listening: nothing runs, and afterEach closes the last one.
      server = createHttpServer(() => {}, { ...quick, headersTimeoutMs, requestTimeoutMs: 60_000 });
      // Node keeps the option on the server; @types/node does not declare it.
      return (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval;
    };
    expect(interval(300)).toBe(100);
    expect(interval(2000)).toBe(500);
    expect(interval(2003)).toBe(500);
    expect(interval(10_000)).toBe(1000);
  });

  it('answers headers that never finish with a JSON 408 request_timeout and closes', async () => {
    const conn = rawConnection(await listen(quick));
    conn.write('POST /webhooks HTTP/1.1\r\nhost: x\r\nwebhook-id: msg_1\r\n');
    const answer = await conn.nextAnswer();
    expect(answer.status).toBe(408);
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'request_timeout', message: expect.stringContaining('nothing was stored') },
    });
    expect(await conn.closed).toBe('closed');
  });

  it('answers a body that stops arriving with a JSON 408 through its own response and closes', async () => {
    const conn = rawConnection(await listen(quick));
    conn.write('POST /webhooks HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"partial":');
    const answer = await conn.nextAnswer();
    expect(answer.status).toBe(408);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 'request_timeout',
        message:
          'The request did not arrive in time (HEADERS_TIMEOUT_SECONDS / REQUEST_TIMEOUT_SECONDS): nothing was stored; send it again',
      },
    });
    expect(await conn.closed).toBe('closed');
  });

  it('closes connections beyond maxConnections at once and keeps serving the ones it holds', async () => {
    const port = await listen({
      ...quick,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      maxConnections: 1,
    });
    const held = rawConnection(port);
    held.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}');
    expect((await held.nextAnswer()).body).toBe('2');
    const refused = rawConnection(port);
    expect(await refused.closed).toBe('closed');
    held.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\n[1]');
    expect((await held.nextAnswer()).body).toBe('3');
    held.socket.destroy();
  });

  it('answers a request the HTTP parser rejects with the JSON error shape', async () => {
    const conn = rawConnection(await listen(quick));
    conn.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: nope\r\n\r\n');
    const answer = await conn.nextAnswer();
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'malformed_request' } });
  });
});
