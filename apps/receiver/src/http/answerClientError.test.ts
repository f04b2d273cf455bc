import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerClientError } from './answerClientError.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function exchange(
  request: Buffer,
  handler: Parameters<typeof createServer>[1] = (_req, res) => res.end('ok'),
): Promise<string> {
  server = createServer(handler);
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => {
      data += s;
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.write(request);
  });
}

function parse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) as unknown };
}

describe('answerClientError', () => {
  it('answers a header with control characters with a JSON 400 malformed_request', async () => {
    const raw = await exchange(
      Buffer.concat([
        Buffer.from('POST / HTTP/1.1\r\nhost: x\r\nx-bad: a'),
        Buffer.from([1, 0]),
        Buffer.from('\r\n\r\n'),
      ]),
    );
    const { statusLine, head, body } = parse(raw);
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(head).toContain('content-type: application/json');
    expect(body).toEqual({
      error: { code: 'malformed_request', message: expect.stringContaining('not valid HTTP/1.1') },
    });
  });

  it('lets a request still being answered get its own answer when junk follows its body', async () => {
    // The handler answers only after the junk was reported, like a store commit finishing late.
    let junkReported!: () => void;
    const reported = new Promise<void>((resolve) => {
      junkReported = resolve;
    });
    const request = Buffer.from(
      'POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}!',
    );
    const pending = exchange(request, (req, res) => {
      req.resume();
      req.on('end', () => void reported.then(() => res.end('stored')));
    });
    await new Promise<void>((resolve) => server!.once('clientError', () => resolve()));
    junkReported();
    const raw = await pending;
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(raw.endsWith('\r\n\r\nstored')).toBe(true);
  });

  it('closes a keep-alive connection once the answer to a request followed by junk has gone out', async () => {
    let junkReported!: () => void;
    const reported = new Promise<void>((resolve) => {
      junkReported = resolve;
    });
    const request = Buffer.from('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}!');
    const pending = exchange(request, (req, res) => {
      req.resume();
      req.on('end', () => void reported.then(() => res.end('stored')));
    });
    // No idle timeout to close it instead: only answerClientError can.
    server!.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => server!.once('clientError', () => resolve()));
    junkReported();
    const raw = await pending;
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(raw.endsWith('\r\n\r\nstored')).toBe(true);
    // A connection left open would hang this test: fail it in seconds rather than at the 30 s limit.
  }, 10_000);

  it('answers headers over the size limit with a JSON 431 headers_too_large', async () => {
    const raw = await exchange(
      Buffer.from(`POST / HTTP/1.1\r\nhost: x\r\nx-pad: ${'p'.repeat(40_000)}\r\n\r\n`),
    );
    const { statusLine, body } = parse(raw);
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(body).toEqual({
      error: { code: 'headers_too_large', message: expect.stringContaining('16 KiB') },
    });
  });

  it('closes the socket of a client that hangs up mid-body, so the handler reading it lets go', async () => {
    server = createServer((req) => {
      req.resume();
      req.once('close', () => server!.emit('test:released', req.complete));
    });
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const released = new Promise<boolean>((resolve) => server!.once('test:released', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nabc');
    socket.end();
    expect(await released).toBe(false);
  });
});

describe('answerClientError on a socket it cannot answer', () => {
  /** A socket stand-in that records what is written to it. */
  function fakeSocket(extra: Record<string, unknown> = {}) {
    const socket = Object.assign(new PassThrough(), extra);
    const written = () => (socket.read() as Buffer | null)?.toString('latin1') ?? '';
    return { socket, written };
  }
  const parserError = (code: string) => Object.assign(new Error(code), { code });

  it('answers a parser error on a fresh socket and ends it', () => {
    const { socket, written } = fakeSocket();
    answerClientError(parserError('HPE_INVALID_METHOD'), socket);
    const text = written();
    expect(text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(text).toContain('connection: close\r\n');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    expect(text).toContain(`content-length: ${Buffer.byteLength(body)}\r\n`);
    expect(JSON.parse(body)).toEqual({
      error: {
        code: 'malformed_request',
        message: 'The request is not valid HTTP/1.1 (HPE_INVALID_METHOD): fix the client; nothing was stored',
      },
    });
  });

  it('names no code when the error has none', () => {
    const { socket, written } = fakeSocket();
    answerClientError(new Error('odd'), socket);
    expect(written()).toContain('"The request is not valid HTTP/1.1: fix the client; nothing was stored"');
  });

  it('destroys the socket without a word after a reset, on a closed socket, or after part of an answer', () => {
    const reset = fakeSocket();
    answerClientError(parserError('ECONNRESET'), reset.socket);
    expect(reset.socket.destroyed).toBe(true);
    expect(reset.written()).toBe('');

    const ended = fakeSocket();
    ended.socket.end();
    answerClientError(parserError('HPE_INVALID_METHOD'), ended.socket);
    expect(ended.socket.destroyed).toBe(true);

    const spoken = fakeSocket({ bytesWritten: 10 });
    answerClientError(parserError('HPE_INVALID_METHOD'), spoken.socket);
    expect(spoken.socket.destroyed).toBe(true);
    expect(spoken.written()).toBe('');
  });

  it('destroys the socket of a timed-out request whose answer has already started', () => {
    const { socket, written } = fakeSocket({
      _httpMessage: { headersSent: true, req: { complete: false } },
    });
    answerClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket);
    expect(socket.destroyed).toBe(true);
    expect(written()).toBe('');
  });

  it('answers a body that stopped arriving through its own response, and drops a client that never reads it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const answered: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
      const inFlight = {
        headersSent: false,
        shouldKeepAlive: true,
        req: { complete: false },
        writeHead(status: number, headers: Record<string, unknown>) {
          answered.status = status;
          answered.headers = headers;
        },
        end(body: string) {
          answered.body = body;
        },
      };
      const { socket, written } = fakeSocket({ _httpMessage: inFlight });
      answerClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket);
      expect(answered).toMatchObject({ status: 408, headers: { connection: 'close' } });
      expect(JSON.parse(answered.body!)).toMatchObject({ error: { code: 'request_timeout' } });
      expect(written()).toBe('');
      expect(socket.destroyed).toBe(false);
      // The answer went into the response; a second later the socket goes, read or not.
      vi.advanceTimersByTime(1000);
      expect(socket.destroyed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers a header timeout with nothing in flight as 408 request_timeout', () => {
    const { socket, written } = fakeSocket();
    answerClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket);
    const text = written();
    expect(text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { code: 'request_timeout' },
    });
  });
});
