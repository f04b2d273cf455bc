// Test helpers over node:http, for exact bytes: a receiver that records each POST's headers and raw
// body (answering 200), and a source that serves an NDJSON export and records what it was asked.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Records every request with its exact body; answers `status` (default 200). */
export async function startRecordingServer(
  answer: (req: RawRequest) => {
    status: number;
    body?: string | Buffer;
    type?: string;
    headers?: Record<string, string>;
  } = () => ({
    status: 200,
  }),
) {
  const requests: RawRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    requests.push(recorded);
    const { status, body, type, headers } = answer(recorded);
    res.writeHead(status, { ...headers, 'content-type': type ?? 'application/json' });
    res.end(body ?? '{}');
  });
  const base = await listen(server);
  return { base, requests, close: () => close(server) };
}

/** One export line in the receiver's format. */
export function exportLine(
  id: string,
  receivedAt: string,
  body: Buffer | string,
  extra: Record<string, unknown> = {},
): string {
  return `${JSON.stringify({
    webhook_id: id,
    type: 'payment.succeeded',
    status: 'processed',
    received_at: receivedAt,
    body_base64: Buffer.from(body).toString('base64'),
    ...extra,
  })}\n`;
}
