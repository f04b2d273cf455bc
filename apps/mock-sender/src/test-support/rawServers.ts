// Test helpers over node:http, for exact bytes: a receiver that records each POST's headers and raw
// body (answering 200), and a source that serves an NDJSON export and records what it was asked.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenLocally } from '@webhook-contracts/test-kit';

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

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
  const local = await listenLocally(server);
  return { base: local.url, requests, close: local.close };
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
