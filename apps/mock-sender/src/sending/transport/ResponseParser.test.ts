import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, ResponseError, ResponseParser } from './ResponseParser.js';

interface Read {
  status?: number;
  retryAfter?: string | undefined;
  body: string;
  reusable?: boolean;
}

/** Arms a parser for one answer and records what it reports. */
function reader(parser = new ResponseParser()) {
  const read: Read = { body: '' };
  parser.expect({
    onHead(status, retryAfter) {
      read.status = status;
      read.retryAfter = retryAfter;
    },
    onBody(chunk) {
      read.body += chunk.toString('latin1');
    },
    onEnd(reusable) {
      read.reusable = reusable;
    },
  });
  return { parser, read };
}

/** Feeds `text` in pieces of `size` bytes (1 splits every line, CRLF and chunk size). */
function feed(parser: ResponseParser, text: string, size = text.length) {
  const bytes = Buffer.from(text, 'latin1');
  for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
}

/** Feeds `text` in pieces of `size` bytes through one scratch buffer, overwritten after each push. */
function feedReused(parser: ResponseParser, text: string, size: number) {
  const bytes = Buffer.from(text, 'latin1');
  const scratch = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const length = bytes.copy(scratch, 0, at, at + size);
    parser.push(scratch.subarray(0, length));
    scratch.fill(0x58);
  }
}

describe('ResponseParser', () => {
  it.each([2, 7])(
    'keeps its own copy of an unfinished head or chunk line (read buffers are reused), %i bytes at a time',
    (size) => {
      const { parser, read } = reader();
      feedReused(
        parser,
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
        size,
      );
      expect(read).toEqual({ status: 503, retryAfter: '120', body: 'hello', reusable: true });
    },
  );

  it.each([1, 3, 1000])('reads a Content-Length answer fed %i bytes at a time', (size) => {
    const { parser, read } = reader();
    feed(parser, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Other: 1\r\n\r\nhello', size);
    expect(read).toEqual({ status: 200, retryAfter: undefined, body: 'hello', reusable: true });
    expect(parser.busy).toBe(false);
  });

  it.each([1, 4, 1000])('reads a chunked answer (extensions, trailers) fed %i bytes at a time', (size) => {
    const { parser, read } = reader();
    feed(
      parser,
      'HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\nretry-after: 7\r\nRetry-After: 9\r\n\r\n' +
        '5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n',
      size,
    );
    expect(read).toEqual({ status: 503, retryAfter: '7', body: 'hello, chunked!', reusable: true });
  });

  it('skips informational answers and reports only the final head', () => {
    const { parser, read } = reader();
    feed(parser, 'HTTP/1.1 103 Early Hints\r\nRetry-After: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    expect(read).toEqual({ status: 204, retryAfter: undefined, body: '', reusable: true });
  });

  it('reads a body framed by the end of the connection, and never reuses that connection', () => {
    const { parser, read } = reader();
    feed(parser, 'HTTP/1.1 200 OK\r\n\r\npart one, ');
    feed(parser, 'part two');
    expect(read.reusable).toBe(undefined);
    expect(parser.end()).toBe(true);
    expect(read).toEqual({ status: 200, retryAfter: undefined, body: 'part one, part two', reusable: false });
  });

  it.each([
    ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
    ['HTTP/1.1 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n', true],
  ])('reuses the connection only when the answer allows it: %j', (text, reusable) => {
    const { parser, read } = reader();
    feed(parser, text);
    expect(read.reusable).toBe(reusable);
  });

  it("keeps the receiver's Keep-Alive timeout, in ms", () => {
    const { parser } = reader();
    feed(parser, 'HTTP/1.1 200 OK\r\nKeep-Alive: max=100, timeout=5\r\nContent-Length: 0\r\n\r\n');
    expect(parser.keepAliveTimeoutMs).toBe(5000);
  });

  it('reads one answer after another on the same connection', () => {
    const parser = new ResponseParser();
    const first = reader(parser).read;
    feed(parser, 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    const second = reader(parser).read;
    feed(parser, 'HTTP/1.1 202 Accepted\r\nContent-Length: 3\r\n\r\nyes');
    expect([first.status, first.body, second.status, second.body]).toEqual([201, 'ok', 202, 'yes']);
  });

  it('completes the answer but refuses to reuse a connection that sent more than was asked for', () => {
    const { parser, read } = reader();
    feed(parser, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    expect(read).toMatchObject({ status: 200, body: 'ok', reusable: false });
    expect(() => feed(parser, 'more')).toThrow(ResponseError);
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', 'the answer is not HTTP/1.x'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', 'malformed header line'],
    [
      'two different lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'Content-Length',
    ],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'Content-Length'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'chunk size'],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
      'malformed chunk',
    ],
    ['a switch of protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'switched protocols'],
  ])('refuses %s', (_name, text, message) => {
    const { parser } = reader();
    expect(() => feed(parser, text)).toThrow(message);
  });

  it('refuses a head larger than its limit without holding more of it', () => {
    const { parser } = reader();
    feed(parser, 'HTTP/1.1 200 OK\r\n');
    expect(() => feed(parser, `X-Long: ${'a'.repeat(MAX_HEAD_BYTES)}`)).toThrow('too large');
  });

  it('refuses bytes when no answer is expected', () => {
    expect(() => feed(new ResponseParser(), 'HTTP/1.1 200 OK\r\n\r\n')).toThrow('no answer was expected');
  });
});
