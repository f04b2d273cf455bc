// One raw TCP connection to an HTTP server, for tests that need what fetch hides: a body sent in
// parts or never finished, several requests on one keep-alive connection, the connection closing.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  write(data: string | Buffer): void;
  /** The next whole answer on the connection (by its content-length); rejects once it has closed. */
  nextAnswer(): Promise<RawAnswer>;
  /** Settles once the server has closed the connection (or it failed): 'closed' or the error. */
  closed: Promise<string>;
}

export function rawConnection(port: number): RawConnection {
  const socket = connect(port, '127.0.0.1');
  let buffered = '';
  const answers: RawAnswer[] = [];
  const waiters: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void }[] = [];
  let ended: string | undefined;
  const deliver = () => {
    while (answers.length > 0 && waiters.length > 0) waiters.shift()!.resolve(answers.shift()!);
    // No answer can come once the connection is gone: fail at once rather than wait for a timeout.
    while (ended !== undefined && waiters.length > 0) {
      waiters.shift()!.reject(new Error(`connection ${ended} before an answer`));
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (;;) {
      const head = buffered.indexOf('\r\n\r\n');
      if (head < 0) return;
      const [statusLine = '', ...lines] = buffered.slice(0, head).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffered.length < head + 4 + length) return;
      answers.push({
        status: Number(statusLine.slice(9, 12)),
        headers,
        body: buffered.slice(head + 4, head + 4 + length),
      });
      buffered = buffered.slice(head + 4 + length);
      deliver();
    }
  });
  const closed = new Promise<string>((resolve) => {
    const end = (how: string) => {
      ended ??= how;
      resolve(how);
      deliver();
    };
    socket.on('error', (error) => end(error.message));
    socket.on('close', () => end('closed'));
  });
  return {
    socket,
    write: (data) => {
      socket.write(data);
    },
    nextAnswer: () =>
      new Promise<RawAnswer>((resolve, reject) => {
        waiters.push({ resolve, reject });
        deliver();
      }),
    closed,
  };
}

/** The head of a POST with the given headers (a content-length among them, or none for chunked). */
export function requestHead(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST ${path} HTTP/1.1\r\nhost: test\r\n${lines.join('')}\r\n`;
}
