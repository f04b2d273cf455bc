import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientError } from './answerClientError.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
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
