import type { ServerResponse } from 'node:http';

/**
 * The one JSON writer: answers `status` with `value` as JSON, straight through writeHead (headers
 * set before with setHeader are kept, `headers` are added). Express's res.json() (content
 * negotiation, freshness checks, re-encoding) costs more than everything it adds to these small
 * answers, and the receiver's POST /webhooks is a hot path. Does nothing once an answer has
 * started or the connection is gone.
 *
 * @example
 * writeJson(res, 200, { status: 'accepted', webhook_id: 'msg_1' });
 */
export function writeJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
