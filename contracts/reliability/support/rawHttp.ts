// A deliberately dumb HTTP/1.1 client over a raw TCP socket: it sends header bytes exactly as
// given (duplicates, any case, non-ASCII, control characters, any size), which node:http and fetch
// refuse to do, and parses whatever comes back.
import { connect } from 'node:net';

export type RawHeader = readonly [name: string | Buffer, value: string | Buffer];

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type RawOutcome = { kind: 'response'; response: RawResponse } | { kind: 'no_response'; error: string };

function toBuffer(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** The request bytes: `Content-Length` is added from the body unless `omitContentLength`. */
export function buildRequest(
  path: string,
  headers: readonly RawHeader[],
  body: Buffer,
  options: { method?: string; omitContentLength?: boolean } = {},
): Buffer {
  const parts: Buffer[] = [
    Buffer.from(`${options.method ?? 'POST'} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n`),
  ];
  for (const [name, value] of headers)
    parts.push(toBuffer(name), Buffer.from(': '), toBuffer(value), Buffer.from('\r\n'));
  if (!options.omitContentLength) parts.push(Buffer.from(`content-length: ${body.length}\r\n`));
  parts.push(Buffer.from('\r\n'), body);
  return Buffer.concat(parts);
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Parses a complete response (the server closed the connection after it), or null if incomplete. */
export function parseResponse(data: Buffer): RawResponse | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  let body = rest;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(rest);
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return null;
    body = rest.subarray(0, length);
  }
  return { status: Number(match[1]), headers, body };
}

/**
 * Writes `request` to 127.0.0.1:`port` and collects the answer until the server closes the
 * connection (the request says `connection: close`). A server may answer and close before it has
 * read everything (413): a write error then does not hide the answer already received.
 */
export function rawExchange(port: number, request: Buffer, timeoutMs = 15_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const response = parseResponse(Buffer.concat(chunks));
      resolve(
        response
          ? { kind: 'response', response }
          : { kind: 'no_response', error: error ?? 'the connection closed without a complete answer' },
      );
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Stop as soon as a complete answer is in: a server that closed early may reset the socket.
      if (parseResponse(Buffer.concat(chunks)) !== null) finish();
    });
    socket.on('error', (error) => finish(error.message));
    socket.on('close', () => finish());
    socket.write(request);
  });
}
