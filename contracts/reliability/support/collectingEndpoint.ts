// An HTTP endpoint on a free loopback port that answers 204 and keeps every request it got.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export interface CollectingEndpoint {
  url: string;
  requests: CollectedRequest[];
  close(): Promise<void>;
}

export async function collectingEndpoint(): Promise<CollectingEndpoint> {
  const requests: CollectedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
