// Every named invalid example, sent by the mock sender's `send({ example })`, reaches a strict
// receiver exactly as written and is refused with 422 at the pointers expectations.json lists.
// A small relay between the two records what went over the wire and what came back.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '@webhook-contracts/mock-sender';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, readExpectations } from '../scripts/exampleFiles.js';
import { type ListeningReceiver, startListeningReceiver } from './support/listeningReceiver.js';
import { whsecSecret } from './support/referenceWebhook.js';

interface Exchange {
  body: string;
  status: number;
  answer: { error?: { code?: string; details?: { pointer: string }[] } };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const invalid = exampleFiles().filter((f) => f.kind === 'invalid');

describe('the mock sender sends each invalid example as written, and a strict receiver refuses it', () => {
  let receiver: ListeningReceiver;
  let relay: Server;
  let relayUrl: string;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    receiver = await startListeningReceiver({ secret: whsecSecret, contractMode: 'strict' });
    relay = createServer(async (req, res) => {
      const body = await readAll(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => name.startsWith('webhook-') || name === 'content-type',
        ),
      ) as Record<string, string>;
      const answer = await fetch(`${receiver.url}/webhooks`, { method: 'POST', headers, body });
      const text = await answer.text();
      exchanges.push({ body: body.toString('utf8'), status: answer.status, answer: JSON.parse(text) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await receiver.stop();
  });

  it('has invalid examples to send', () => {
    expect(invalid.length).toBeGreaterThan(10);
  });

  for (const example of invalid) {
    const name = example.file.slice(0, -'.json'.length);
    const pointers = readExpectations(example.eventType)[example.file] ?? [];
    it(`${name}: sent byte for byte, refused with 422 at ${pointers.join(', ')}`, async () => {
      exchanges.length = 0;
      const summary = await send({
        to: relayUrl,
        secret: whsecSecret,
        example: `${example.eventType}/${name}`,
        retrySchedule: [],
      });
      expect(summary).toMatchObject({ sent: 1, failed: 1, byStatus: { '422': 1 } });
      const [exchange] = exchanges;
      expect(exchange?.body).toBe(readFileSync(example.path, 'utf8'));
      expect(exchange?.answer.error?.code).toBe('contract_violation');
      const got = [...new Set(exchange?.answer.error?.details?.map((d) => d.pointer))].sort();
      expect(got).toEqual([...pointers].sort());
    });
  }
});
