// Reads one HTTP/1.1 response at a time from a connection's bytes, incrementally: the status, the
// one header the sender acts on (Retry-After, the first), whether the connection may be kept, and
// the body framed by Content-Length, chunked transfer coding or the end of the connection. 1xx
// answers are skipped. It keeps no more than one unfinished line or head, bounded, and copied: the
// bytes pushed may be a read buffer that the next read overwrites.

/** A head longer than this is refused (Node's own server limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line or trailer longer than this is refused. */
const MAX_LINE_BYTES = 8 * 1024;

export class ResponseError extends Error {}

export interface ResponseHandler {
  /** The final (non-1xx) head; `retryAfter` is the first Retry-After value, if any. */
  onHead(status: number, retryAfter: string | undefined): void;
  /** A piece of the body, valid only during the call (it may lie in a reused read buffer). */
  onBody(chunk: Buffer): void;
  /** The response is complete; `reusable` says the connection may carry another request. */
  onEnd(reusable: boolean): void;
}

const CRLF_CRLF = '\r\n\r\n';
const DIGITS = /^\d{1,15}$/;

/** The decimal digit at `at`, NaN for anything else. */
function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 0x30;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}
const TOKEN_LIST_CLOSE = /(?:^|,)\s*close\s*(?:,|$)/i;
const TOKEN_LIST_KEEP_ALIVE = /(?:^|,)\s*keep-alive\s*(?:,|$)/i;
const CHUNKED_LAST = /(?:^|,)\s*chunked\s*$/i;
const KEEP_ALIVE_TIMEOUT = /(?:^|,)\s*timeout\s*=\s*(\d+)/i;

const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkDataEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * One parser per connection; `expect()` arms it for the next response, `push()` feeds it bytes and
 * throws ResponseError for a malformed answer (the connection must then be dropped).
 */
export class ResponseParser {
  private state: State = State.Done;
  /** Set (to whether the connection is reusable) when an answer completes during `push`. */
  private completed: boolean | undefined;
  private pending: Buffer | undefined;
  private remaining = 0;
  private keepAlive = false;
  private handler: ResponseHandler | undefined;
  private keepAliveHeader: string | undefined;
  /** The `timeout=` of the last answer's Keep-Alive header, in ms (undefined when not given). */
  keepAliveTimeoutMs: number | undefined;

  /** Prepares for the answer to the request just written. */
  expect(handler: ResponseHandler): void {
    this.handler = handler;
    this.state = State.Head;
    this.pending = undefined;
  }

  /** True while an answer is expected or being read. */
  get busy(): boolean {
    return this.state !== State.Done;
  }

  /** The connection ended: completes an answer framed by the end of the connection. */
  end(): boolean {
    if (this.state !== State.UntilClose) return false;
    this.state = State.Done;
    this.tell(false);
    return true;
  }

  push(data: Buffer): void {
    if (this.state === State.Done)
      throw new ResponseError('the receiver sent bytes when no answer was expected');
    let chunk: Buffer | undefined = data;
    while (chunk !== undefined && chunk.length > 0) {
      switch (this.state as State) {
        case State.Done:
          // Bytes after a complete answer that was not asked for: the connection cannot be trusted.
          this.completed = false;
          chunk = undefined;
          break;
        case State.Head:
          chunk = this.readHead(chunk);
          break;
        case State.Length:
          chunk = this.counted(chunk);
          if (this.remaining === 0) this.finish(this.keepAlive);
          break;
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers:
          chunk = this.readLine(chunk);
          break;
        case State.ChunkData:
          chunk = this.counted(chunk);
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        case State.UntilClose:
          this.body(chunk);
          chunk = undefined;
          break;
      }
    }
    const completed = this.completed;
    if (completed !== undefined) {
      this.completed = undefined;
      this.tell(completed);
    }
  }

  private joined(chunk: Buffer): Buffer {
    if (this.pending === undefined) return chunk;
    const all = Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    return all;
  }

  private readHead(chunk: Buffer): Buffer | undefined {
    const bytes = this.joined(chunk);
    const end = bytes.indexOf(CRLF_CRLF, 0, 'latin1');
    if (end < 0) {
      if (bytes.length > MAX_HEAD_BYTES) throw new ResponseError('the answer head is too large');
      this.pending = Buffer.from(bytes);
      return undefined;
    }
    if (end > MAX_HEAD_BYTES) throw new ResponseError('the answer head is too large');
    this.parseHead(bytes.toString('latin1', 0, end));
    return end + 4 === bytes.length ? undefined : bytes.subarray(end + 4);
  }

  private parseHead(head: string): void {
    // The status line by hand and the header lines by offset: a fast run reads tens of thousands
    // of these a second, and splitting or matching each whole head costs more than the rest.
    let lineEnd = head.indexOf('\r\n');
    if (lineEnd < 0) lineEnd = head.length;
    if (
      lineEnd < 12 ||
      !head.startsWith('HTTP/1.') ||
      head.charCodeAt(8) !== 0x20 ||
      (lineEnd > 12 && head.charCodeAt(12) !== 0x20)
    )
      throw new ResponseError('the answer is not HTTP/1.x');
    const minor = head.charCodeAt(7);
    const status = digit(head, 9) * 100 + digit(head, 10) * 10 + digit(head, 11);
    if (Number.isNaN(status) || (minor !== 0x30 && minor !== 0x31))
      throw new ResponseError('the answer is not HTTP/1.x');
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    let retryAfter: string | undefined;
    for (let start = lineEnd + 2; start < head.length; start = lineEnd + 2) {
      lineEnd = head.indexOf('\r\n', start);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(':', start);
      if (colon <= start || colon > lineEnd)
        throw new ResponseError('the answer has a malformed header line');
      // Only names of these lengths matter: the others are not lowercased at all.
      const size = colon - start;
      if (size !== 10 && size !== 11 && size !== 14 && size !== 17) continue;
      const name = head.slice(start, colon).toLowerCase();
      if (name === 'content-length') {
        const value = head.slice(colon + 1, lineEnd).trim();
        if (!DIGITS.test(value) || (length !== undefined && length !== Number(value)))
          throw new ResponseError('the answer has an invalid Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding') chunked = CHUNKED_LAST.test(head.slice(colon + 1, lineEnd));
      else if (name === 'connection') {
        const value = head.slice(colon + 1, lineEnd).trim();
        connection = connection === '' ? value : `${connection},${value}`;
      } else if (name === 'keep-alive') {
        const value = head.slice(colon + 1, lineEnd);
        if (value !== this.keepAliveHeader) {
          this.keepAliveHeader = value;
          const timeout = KEEP_ALIVE_TIMEOUT.exec(value);
          this.keepAliveTimeoutMs = timeout === null ? undefined : Number(timeout[1]) * 1000;
        }
      } else if (name === 'retry-after' && retryAfter === undefined)
        retryAfter = head.slice(colon + 1, lineEnd).trim();
    }
    // Informational answers (100, 103) precede the real one; 101 would switch protocols, which a
    // POST that did not ask for it never gets.
    if (status >= 100 && status < 200) {
      if (status === 101) throw new ResponseError('the receiver switched protocols');
      return;
    }
    this.keepAlive =
      minor === 0x31
        ? connection === '' || connection === 'keep-alive' || !TOKEN_LIST_CLOSE.test(connection)
        : TOKEN_LIST_KEEP_ALIVE.test(connection) && !TOKEN_LIST_CLOSE.test(connection);
    (this.handler as ResponseHandler).onHead(status, retryAfter);
    if (status === 204 || status === 304) this.finish(this.keepAlive);
    else if (chunked) this.state = State.ChunkSize;
    else if (length !== undefined) {
      this.remaining = length;
      if (length === 0) this.finish(this.keepAlive);
      else this.state = State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }

  /** A chunk-size line, the CRLF after a chunk's data, or a trailer line. */
  private readLine(chunk: Buffer): Buffer | undefined {
    const bytes = this.joined(chunk);
    const end = bytes.indexOf('\r\n', 0, 'latin1');
    if (end < 0) {
      if (bytes.length > MAX_LINE_BYTES) throw new ResponseError('the answer has an overlong chunk line');
      this.pending = Buffer.from(bytes);
      return undefined;
    }
    const line = bytes.toString('latin1', 0, end);
    const rest = end + 2 === bytes.length ? undefined : bytes.subarray(end + 2);
    if (this.state === State.ChunkDataEnd) {
      if (line !== '') throw new ResponseError('the answer has a malformed chunk');
      this.state = State.ChunkSize;
    } else if (this.state === State.ChunkSize) {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (size === null) throw new ResponseError('the answer has a malformed chunk size');
      this.remaining = Number.parseInt(size[1] as string, 16);
      this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    } else if (line === '') this.finish(this.keepAlive);
    return rest;
  }

  /** Passes on up to `remaining` bytes of body; returns what follows them. */
  private counted(chunk: Buffer): Buffer | undefined {
    const take = Math.min(this.remaining, chunk.length);
    this.body(chunk.subarray(0, take));
    this.remaining -= take;
    return take === chunk.length ? undefined : chunk.subarray(take);
  }

  private body(chunk: Buffer): void {
    if (chunk.length > 0) (this.handler as ResponseHandler).onBody(chunk);
  }

  private finish(reusable: boolean): void {
    this.state = State.Done;
    this.completed = reusable;
  }

  private tell(reusable: boolean): void {
    const handler = this.handler as ResponseHandler;
    this.handler = undefined;
    this.pending = undefined;
    handler.onEnd(reusable);
  }
}
