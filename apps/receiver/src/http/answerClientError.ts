// Node's HTTP parser rejects some requests before Express sees them (bad header bytes, headers over
// the 16 KiB limit, a header timeout). Its default answer has no body; this one writes the same
// `{ "error": { "code", "message" } }` shape every other answer has, straight to the socket.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '@webhook-contracts/http-kit';

interface ParserError extends Error {
  code?: string;
}

function answer(error: ParserError): { status: number; reason: string; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'headers_too_large',
        message: 'The request headers exceed the server limit (16 KiB): send only the webhook headers',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'request_timeout',
        message:
          'The request did not arrive in time (HEADERS_TIMEOUT_SECONDS / REQUEST_TIMEOUT_SECONDS): nothing was stored; send it again',
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'malformed_request',
        message: `The request is not valid HTTP/1.1${error.code ? ` (${error.code})` : ''}: fix the client; nothing was stored`,
      };
  }
}

/**
 * A `clientError` listener for the receiver's `http.Server`.
 *
 * @example
 * const server = app.listen(3000);
 * server.on('clientError', answerClientError);
 */
export function answerClientError(error: ParserError, socket: Duplex): void {
  const { bytesWritten = 0, _httpMessage: inFlight } = socket as Duplex & {
    bytesWritten?: number;
    _httpMessage?: ServerResponse | null;
  };
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A request whose body stopped arriving: nothing of it was stored (a delivery is stored only
  // after its whole body is read), so it is answered 408 through its own response, which closes
  // the connection. The handler still waiting for the body sees the socket close and gives up.
  if (inFlight && !inFlight.headersSent && error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const { status, code, message } = answer(error);
    const body = JSON.stringify(errorBody(code, message));
    inFlight.shouldKeepAlive = false;
    inFlight.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    inFlight.end(body);
    // A client that does not read its answer does not keep the socket either.
    setTimeout(() => socket.destroy(), 1000).unref();
    return;
  }
  // The client hung up (or broke the framing) in the middle of a request body: nobody is left to
  // answer, and the handler still reading that body must see the socket close to let go of it.
  if (inFlight && inFlight.req !== undefined && !inFlight.req.complete) {
    socket.destroy();
    return;
  }
  // Junk after a request whose answer is still being prepared (e.g. bytes past its Content-Length):
  // that request may already be stored, so its own answer must go out, not an error that would
  // make the sender believe it failed. Close the connection once it has.
  if (inFlight) {
    inFlight.once('finish', () => socket.end());
    return;
  }
  // Nothing more can be said after part of another answer went out.
  if (bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const { status, reason, code, message } = answer(error);
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
