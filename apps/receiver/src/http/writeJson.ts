import type { ServerResponse } from 'node:http';

/**
 * The one JSON writer: answers `status` with `value` as JSON, straight through writeHead (headers
 * set before with res.set/setHeader are kept). Express's res.json() (content negotiation,
 * freshness checks, re-encoding) costs more than everything it adds to these small answers, and
 * POST /webhooks is the hot path. Does nothing once an answer has started.
 *
 * @example
 * writeJson(res, 200, { status: 'accepted', webhook_id: 'msg_1' });
 */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
