// `mock-sender check` (the built CLI) against receivers that are broken the way real ones are:
// one that parses JSON before verifying, and one that is not running. Each must fail, with the
// reason on the case lines rather than bare status codes.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { requireBuilt, runBuiltSender } from '@webhook-contracts/test-kit';
import { Webhook, WebhookVerificationError } from '@webhook-contracts/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

// Express is borrowed from the receiver's dependencies, as a team's own service would bring it.
type Handler = (
  req: { body: unknown; headers: Record<string, string | string[] | undefined> },
  res: {
    status(code: number): { json(body: unknown): void };
  },
) => void;
const express = createRequire(join(contractsDir, '../apps/receiver/package.json'))('express') as {
  (): { use(...handlers: unknown[]): void; post(path: string, handler: Handler): void };
  json(options: { type: string }): unknown;
};

const secret = `whsec_${Buffer.from('check-broken-receivers-secret-32b').toString('base64')}`;

const checkCli = (to: string) => runBuiltSender(['check', '--to', to], { WEBHOOK_SECRET: secret });

describe('mock-sender check against broken receivers', () => {
  beforeAll(() => requireBuilt());

  describe('a receiver with express.json() mounted before it verifies', () => {
    let server: ReturnType<typeof createServer>;
    let url: string;
    beforeAll(async () => {
      const app = express();
      app.use(express.json({ type: '*/*' }));
      const webhook = new Webhook(secret);
      // The classic mistake: verify JSON.stringify of the parsed body instead of the raw bytes.
      app.post('/webhooks', (req, res) => {
        try {
          webhook.verify(req.headers, Buffer.from(JSON.stringify(req.body)));
          res.status(200).json({ ok: true });
        } catch (error) {
          const code = error instanceof WebhookVerificationError ? error.code : 'internal';
          res.status(error instanceof WebhookVerificationError ? 401 : 500).json({ error: { code } });
        }
      });
      server = createServer(app as unknown as Parameters<typeof createServer>[0]);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fails, with the reason beside each failed case and the mistake named', async () => {
      const result = await checkCli(url);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/pretty-printed.*\s2xx\s+401\s+FAIL\s+error code no_matching_signature/);
      expect(result.stdout).toMatch(/escapes.*\s2xx\s+401\s+FAIL\s+error code no_matching_signature/);
      expect(result.stdout).toContain(
        'verify the raw body bytes exactly as received, with no JSON parser mounted before the webhook route',
      );
      expect(result.stdout).toContain('2 of 16 cases FAILED');
    });
  });

  it('says once that a receiver that is not running refused the connection', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/webhooks`;
    const result = await checkCli(url);
    expect(result.code).toBe(1);
    expect(result.stdout.match(/connection refused: is the receiver running at/g)).toHaveLength(1);
    expect(result.stdout).toContain(`connection refused: is the receiver running at ${url}?`);
    expect(result.stdout).toContain('16 of 16 cases FAILED');
  });
});
