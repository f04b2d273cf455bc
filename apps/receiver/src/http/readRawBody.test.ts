import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpError } from '@webhook-contracts/http-kit';
import { eventually } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawConnection } from '../test-support/rawHttp.js';
import { InflightBodyBudget } from './InflightBodyBudget.js';
import { MinBodyRate } from './MinBodyRate.js';
import { bodyAlreadyConsumedMessage, discardRestOfBody, readRawBody } from './readRawBody.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

type Outcome = { body: string } | { status: number; code: string; message: string; cause?: unknown };

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
    res.on('error', () => {});
    req.on('close', () => res.destroy());
    read(req).then(
      (body) => record({ body: body.toString('latin1') }),
      (error: HttpError) =>
        record({
          status: error.status,
          code: error.code,
          message: error.message,
          ...(error.cause === undefined ? {} : { cause: error.cause }),
        }),
    );
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
      // The stream's own error, for the log.
      cause: expect.objectContaining({ code: 'ECONNRESET' }),
    });
  });

  it('reports a request destroyed mid-body without an error as request_aborted', async () => {
    const r = await reading((req) => {
      const read = readRawBody(req, 1000);
      req.once('data', () => req.destroy());
      return read;
    });
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 100\r\n'));
    conn.write('{"partial":');
    expect(await r.next()).toEqual({
      status: 400,
      code: 'request_aborted',
      message: 'The client closed the connection before the whole body arrived',
    });
    conn.socket.destroy();
  });

  // A listener left behind keeps acting on the request: a 'data' one would pause it on every chunk,
  // stalling the discardRestOfBody that follows a 413.
  it.each([
    ['read the whole body', 'content-length: 4\r\n', '{"a"', { body: '{"a"' }],
    ['refused it past the limit', 'transfer-encoding: chunked\r\n', '6\r\nabcdef\r\n', tooLarge(5)],
  ])('leaves none of its listeners on the request once it has %s', async (_name, headers, sent, outcome) => {
    const events = ['data', 'end', 'error', 'close'] as const;
    const counts = (req: IncomingMessage) => events.map((e) => req.listenerCount(e));
    let left: { before: number[]; after: number[] } | undefined;
    const r = await reading((req) => {
      const before = counts(req);
      const read = readRawBody(req, 5);
      const record = () => {
        left = { before, after: counts(req) };
      };
      read.then(record, record);
      return read;
    });
    const conn = rawConnection(r.port);
    conn.write(head(headers));
    conn.write(sent);
    expect(await r.next()).toEqual(outcome);
    expect(left).toEqual({ before: left!.before, after: left!.before });
    conn.socket.destroy();
  });

  it('leaves none of its listeners on a request the client aborted', async () => {
    const events = ['data', 'end', 'error', 'close'] as const;
    const counts = (req: IncomingMessage) => events.map((e) => req.listenerCount(e));
    let left: { before: number[]; after: number[] } | undefined;
    const r = await reading((req) => {
      const before = counts(req);
      const read = readRawBody(req, 1000);
      const record = () => {
        left = { before, after: counts(req) };
      };
      read.then(record, record);
      req.once('data', () => req.destroy(new Error('gone')));
      return read;
    });
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 100\r\n'));
    conn.write('{"partial":');
    expect(await r.next()).toMatchObject({ code: 'request_aborted' });
    // The one-time 'data' listener above has gone too.
    expect(left).toEqual({ before: left!.before, after: left!.before });
    conn.socket.destroy();
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

describe('readRawBody with an in-flight budget and a minimum rate', () => {
  it('charges each chunk as it arrives and gives every byte back once the body is read', async () => {
    const budget = new InflightBodyBudget(1000);
    const r = await reading((req) => readRawBody(req, 1000, { inflight: budget }));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 600\r\n'));
    await eventually('budget.used === 0', async () => (budget.used === 0 ? true : undefined));
    conn.write('a'.repeat(250));
    await eventually('budget.used === 250', async () => (budget.used === 250 ? true : undefined));
    conn.write('b'.repeat(350));
    expect(await r.next()).toEqual({ body: `${'a'.repeat(250)}${'b'.repeat(350)}` });
    expect(budget.used).toBe(0);
    conn.socket.destroy();
  });

  it('refuses with 503 overloaded at the chunk that does not fit, and holds nothing after', async () => {
    const budget = new InflightBodyBudget(1000);
    expect(budget.tryReserve(700)).toBe(true);
    const r = await reading((req) => readRawBody(req, 1000, { inflight: budget }));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 600\r\n'));
    conn.write('a'.repeat(250));
    await eventually('budget.used === 950', async () => (budget.used === 950 ? true : undefined));
    conn.write('b'.repeat(100));
    expect(await r.next()).toEqual({
      status: 503,
      code: 'overloaded',
      message:
        'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
    });
    expect(budget.used).toBe(700);
    conn.socket.destroy();
  });

  it('refuses with 408 body_too_slow a body that brings less than the rate in a window', async () => {
    const rate = new MinBodyRate({ bytesPerSecond: 100, windowMs: 200 });
    const r = await reading((req) => readRawBody(req, 1000, { minRate: rate }));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 600\r\n'));
    // 19 bytes: one short of 100 bytes/s over 200 ms.
    conn.write('a'.repeat(19));
    expect(await r.next()).toEqual({
      status: 408,
      code: 'body_too_slow',
      message:
        'The body arrived slower than 100 bytes/s over 0.2 s (MIN_BODY_BYTES_PER_SECOND, ' +
        'BODY_RATE_WINDOW_SECONDS): nothing was stored; send the whole body at once',
    });
    expect(rate.size).toBe(0);
    conn.socket.destroy();
  });

  it('stops watching the rate of a body once it is read', async () => {
    const rate = new MinBodyRate({ bytesPerSecond: 100, windowMs: 60_000 });
    const r = await reading((req) => readRawBody(req, 1000, { minRate: rate }));
    const conn = rawConnection(r.port);
    conn.write(head('content-length: 2\r\n'));
    conn.write('{}');
    expect(await r.next()).toEqual({ body: '{}' });
    expect(rate.size).toBe(0);
    conn.socket.destroy();
  });
});

describe('discardRestOfBody', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /**
   * A server that answers 413 at once and discards the body with the given bounds (after reading
   * it whole itself with `readFirst`). No keep-alive timeout: only discardRestOfBody closes.
   */
  async function discarding(maxBytes: number, maxMs: number, readFirst = false) {
    server = createServer(async (req, res) => {
      if (readFirst) await readRawBody(req, 1_000_000);
      res.writeHead(413, { 'content-length': 2 });
      res.end('no');
      discardRestOfBody(req, maxBytes, maxMs);
    });
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('reads the rest, up to exactly maxBytes, so the connection serves the next request', async () => {
    const conn = rawConnection(await discarding(600, 10_000));
    conn.write(head('content-length: 600\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(600));
    conn.write(head('content-length: 0\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.socket.destroy();
  });

  it('destroys the connection once more than maxBytes arrive, reading nothing after them', async () => {
    const conn = rawConnection(await discarding(100, 10_000));
    conn.write(head('content-length: 2000\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(2000));
    conn.write(head('content-length: 0\r\n'));
    // The request after the body is never answered: the connection is gone before it.
    await expect(conn.nextAnswer()).rejects.toThrow(/before an answer/);
    // Closed by the server, or reset when it closed with bytes unread.
    expect(await conn.closed).toMatch(/^closed$|ECONNRESET|EPIPE/);
  });

  it('destroys the connection of a client that stops sending for maxMs', async () => {
    const conn = rawConnection(await discarding(100_000, 50));
    conn.write(head('content-length: 1000\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(10));
    expect(await conn.closed).toMatch(/^closed$|ECONNRESET/);
  });

  it('lets the connection live on once the rest is read, past maxMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const conn = rawConnection(await discarding(1000, 1000));
    conn.write(head('content-length: 600\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(600));
    conn.write(head('content-length: 0\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    // Both discards' timers are due: neither may close the connection now that its body is read.
    vi.advanceTimersByTime(5000);
    conn.write(head('content-length: 0\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.socket.destroy();
  });

  it('destroys the connection of a drain slower than the minimum rate, well before maxMs', async () => {
    const rate = new MinBodyRate({ bytesPerSecond: 1000, windowMs: 200 });
    server = createServer((req, res) => {
      res.writeHead(413, { 'content-length': 2 });
      res.end('no');
      discardRestOfBody(req, 100_000, 60_000, { minRate: rate });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const conn = rawConnection((server.address() as AddressInfo).port);
    const started = performance.now();
    conn.write(head('content-length: 1000\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(10));
    expect(await conn.closed).toMatch(/^closed$|ECONNRESET/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(rate.size).toBe(0);
  });

  it('calls done once the rest is read', async () => {
    let doneCalls = 0;
    server = createServer((req, res) => {
      res.writeHead(413, { 'content-length': 2 });
      res.write('no');
      discardRestOfBody(req, 1000, 10_000, {
        done: () => {
          doneCalls++;
          res.end();
        },
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const conn = rawConnection((server.address() as AddressInfo).port);
    conn.write(head('content-length: 600\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.write('x'.repeat(600));
    conn.write(head('content-length: 0\r\n'));
    expect((await conn.nextAnswer()).status).toBe(413);
    expect(doneCalls).toBe(2);
    conn.socket.destroy();
  });

  it('leaves alone a request whose body was already read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const conn = rawConnection(await discarding(1000, 1000, true));
    conn.write(head('content-length: 2\r\n'));
    conn.write('{}');
    expect((await conn.nextAnswer()).status).toBe(413);
    vi.advanceTimersByTime(5000);
    conn.write(head('content-length: 2\r\n'));
    conn.write('{}');
    expect((await conn.nextAnswer()).status).toBe(413);
    conn.socket.destroy();
  });
});
