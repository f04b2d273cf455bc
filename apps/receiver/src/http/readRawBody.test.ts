import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpError } from '../errors.js';
import { rawConnection } from '../test-support/rawHttp.js';
import { bodyAlreadyConsumedMessage, discardRestOfBody, readRawBody } from './readRawBody.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

type Outcome = { body: string } | { status: number; code: string; message: string };

/**
 * A server whose handler runs `read` on each request and answers 200 when it settles; `outcomes`
 * yields what each read resolved with (the body as text) or rejected with.
 */
async function reading(read: (req: IncomingMessage) => Promise<Buffer>) {
  const settled: Outcome[] = [];
  const waiters: ((o: Outcome) => void)[] = [];
  const record = (o: Outcome) => {
    const waiter = waiters.shift();
    if (waiter) waiter(o);
    else settled.push(o);
  };
  server = createServer((req, res) => {
    read(req).then(
      (body) => record({ body: body.toString('latin1') }),
      (error: HttpError) => record({ status: error.status, code: error.code, message: error.message }),
    );
    res.on('error', () => {});
    req.on('close', () => res.destroy());
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const next = () =>
    new Promise<Outcome>((resolve) => {
      const done = settled.shift();
      if (done) resolve(done);
      else waiters.push(resolve);
    });
  return { port, next };
}

const head = (headers: string) => `POST / HTTP/1.1\r\nhost: x\r\n${headers}\r\n`;
const tooLarge = (limit: number) => ({
  status: 413,
  code: 'payload_too_large',
  message: `The body is larger than the ${limit}-byte limit (MAX_BODY_BYTES): webhook payloads are small, so this is not a delivery`,
});

describe('readRawBody', () => {
  it('reads a body in many chunks byte for byte, up to exactly the limit', async () => {
    const r = await reading((req) => readRawBody(req, 6));
    const conn = rawConnection(r.port);
    conn.write(head('transfer-encoding: chunked\r\n'));
    conn.write('2\r\nab\r\n');
    conn.write(Buffer.from([0x31, 0x0d, 0x0a, 0xff, 0x0d, 0x0a]));
    conn.write('3\r\ncde\r\n0\r\n\r\n');
    expect(await r.next()).toEqual({ body: 'ab\xffcde' });
    conn.socket.destroy();
  });

  it('reads a body of exactly the declared limit', async () => {
    const r = await reading((req) => readRawBody(req, 4));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 4\r\n'));
    conn.write('{"a"'.slice(0, 4));
    expect(await r.next()).toEqual({ body: '{"a"' });
    conn.socket.destroy();
  });

  it('refuses a declared length over the limit before reading anything', async () => {
    const r = await reading((req) => readRawBody(req, 10));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 11\r\n'));
    expect(await r.next()).toEqual(tooLarge(10));
    conn.socket.destroy();
  });

  it('stops at the first chunk that passes the limit of a chunked body', async () => {
    const r = await reading((req) => readRawBody(req, 10));
    const conn = rawConnection(r.port);
    conn.write(head('transfer-encoding: chunked\r\n'));
    conn.write('6\r\nabcdef\r\n');
    conn.write('5\r\nghijk\r\n');
    expect(await r.next()).toEqual(tooLarge(10));
    conn.socket.destroy();
  });

  it('reports a client that hangs up mid-body as request_aborted', async () => {
    let reached!: () => void;
    const dataArrived = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const r = await reading((req) => {
      req.once('data', () => reached());
      return readRawBody(req, 1000);
    });
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 100\r\n'));
    conn.write('{"partial":');
    await dataArrived;
    conn.socket.destroy();
    expect(await r.next()).toEqual({
      status: 400,
      code: 'request_aborted',
      message: 'The client closed the connection before the whole body arrived',
    });
  });

  it('uses the exact bytes kept in req.rawBody, within the limit', async () => {
    const r = await reading((req) => {
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = Buffer.from('kept bytes');
      return readRawBody(req, Number(req.headers['x-limit']));
    });
    const conn = rawConnection(r.port);
    conn.write(head('x-limit: 10\r\ncontent-length: 0\r\n'));
    expect(await r.next()).toEqual({ body: 'kept bytes' });
    conn.write(head('x-limit: 9\r\ncontent-length: 0\r\n'));
    expect(await r.next()).toEqual(tooLarge(9));
    conn.socket.destroy();
  });

  it.each([
    ['a parsed req.body', (req: IncomingMessage) => Object.assign(req, { body: {} })],
    ['body-parser`s _body flag', (req: IncomingMessage) => Object.assign(req, { _body: true })],
  ])('reports a body another middleware consumed (%s) as body_already_consumed', async (_name, mark) => {
    const r = await reading((req) => readRawBody(mark(req), 1000));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 2\r\n'));
    conn.write('{}');
    expect(await r.next()).toEqual({
      status: 400,
      code: 'body_already_consumed',
      message: bodyAlreadyConsumedMessage,
    });
    conn.socket.destroy();
  });

  it('reports a stream already read to its end as body_already_consumed', async () => {
    const r = await reading(async (req) => {
      for await (const _chunk of req) {
        // drain it, as a parser would
      }
      return readRawBody(req, 1000);
    });
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 2\r\n'));
    conn.write('{}');
    expect(await r.next()).toMatchObject({ status: 400, code: 'body_already_consumed' });
    conn.socket.destroy();
  });
});

describe('discardRestOfBody', () => {
  /** A server that answers 413 at once and discards the body with the given bounds. */
  async function discarding(maxBytes: number, maxMs: number) {
    server = createServer((req, res) => {
      res.writeHead(413, { 'content-length': 2 });
      res.end('no');
      discardRestOfBody(req, maxBytes, maxMs);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('reads the rest within its bounds, so the connection serves the next request', async () => {
    const conn = rawConnection(await discarding(1000, 10_000));
    conn.write(head('content-length: 600\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(600));
    conn.write(head('content-length: 0\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.socket.destroy();
  });

  it('destroys the connection once more than maxBytes arrive', async () => {
    const conn = rawConnection(await discarding(100, 10_000));
    conn.write(head('content-length: 100000\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(1000));
    // Closed by the server, or reset when it closed with bytes unread.
    expect(await conn.closed).toMatch(/^closed$|ECONNRESET/);
  });

  it('destroys the connection of a client that stops sending for maxMs', async () => {
    const conn = rawConnection(await discarding(100_000, 50));
    conn.write(head('content-length: 1000\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(10));
    expect(await conn.closed).toMatch(/^closed$|ECONNRESET/);
  });
});
