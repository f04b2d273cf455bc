import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './httpClient.js';

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
  if (server !== undefined) {
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void) {
  const seen: Seen[] = [];
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
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, seen };
}

const body = Buffer.from('{"name":"Zoë"}');

describe('createHttpClient', () => {
  it('sends the body with Host, Content-Length, keep-alive and the given headers (list or map)', async () => {
    const { port, seen } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    client = createHttpClient({ concurrency: 1 });
    const url = new URL(`http://127.0.0.1:${port}/hooks?x=1`);
    const first = await client.post({ url, body, timeoutMs: 5000, headers: ['webhook-id', 'msg_1'] });
    const second = await client.post({ url, body, timeoutMs: 5000, headers: { 'webhook-id': 'msg_2' } });

    expect(first).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(second).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/hooks?x=1', '{"name":"Zoë"}'],
      ['POST', '/hooks?x=1', '{"name":"Zoë"}'],
    ]);
    expect(seen[0]?.rawHeaders).toEqual([
      'host',
      `127.0.0.1:${port}`,
      'content-length',
      String(body.length),
      'webhook-id',
      'msg_1',
      'Connection',
      'keep-alive',
    ]);
    expect(seen[1]?.rawHeaders).toContain('msg_2');
    // One connection, reused.
    expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort);
  });

  it('reports Retry-After on a non-2xx answer and keeps at most 2048 characters of the body', async () => {
    const { port } = await listen((_req, res) => {
      res.writeHead(503, { 'retry-after': '7' });
      res.end('x'.repeat(5000));
    });
    client = createHttpClient({ concurrency: 1 });
    const outcome = await client.post({
      url: new URL(`http://127.0.0.1:${port}/`),
      body,
      timeoutMs: 5000,
      headers: [],
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 503, retryAfter: '7' });
    expect(outcome.kind === 'response' && outcome.body.length).toBe(2048);
  });

  it('turns a receiver that never answers into a timeout', async () => {
    const { port } = await listen(() => {});
    client = createHttpClient({ concurrency: 1 });
    const outcome = await client.post({
      url: new URL(`http://127.0.0.1:${port}/`),
      body,
      timeoutMs: 30,
      headers: [],
    });
    expect(outcome).toMatchObject({ kind: 'timeout', message: 'no complete answer within 30 ms' });
  });

  it('turns a refused connection into a connection error', async () => {
    const { port } = await listen(() => {});
    const closing = server as Server;
    server = undefined;
    await new Promise<void>((resolve) => closing.close(() => resolve()));
    client = createHttpClient({ concurrency: 1 });
    const outcome = await client.post({
      url: new URL(`http://127.0.0.1:${port}/`),
      body,
      timeoutMs: 5000,
      headers: [],
    });
    expect(outcome).toMatchObject({ kind: 'connection_error' });
    expect(outcome.kind === 'connection_error' && outcome.message).toContain('ECONNREFUSED');
  });
});
