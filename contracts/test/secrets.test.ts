// Secrets across the whole system: a bare Standard Webhooks base64 secret (no `whsec_`) works
// between the BUILT programs and the `standardwebhooks` reference library in both directions, and
// the library, the receiver and the mock sender read one secret setting the same way (commas,
// whitespace, quotes, mix-ups).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSecrets } from '@webhook-contracts/mock-sender';
import { ConfigError, loadConfig } from '@webhook-contracts/receiver';
import {
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { Webhook, WebhookConfigError } from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { whopSecret, whsecSecret } from './support/referenceWebhook.js';

/** The contract suite's Standard Webhooks secret without its prefix, as another sender hands it out. */
const bareSecret = whsecSecret.slice('whsec_'.length);
const docsPage = readFileSync(
  join(contractsDir, 'examples/course_lesson_interaction.completed/docs-page.json'),
);

function referenceHeaders(secret: string, id: string, body: Buffer) {
  const at = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new ReferenceWebhook(secret).sign(id, at, body),
  };
}

describe('a bare base64 secret between the built programs and standardwebhooks', () => {
  let dir: string;
  let receiver: RunningProgram & { url: string };

  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'contracts-secrets-'));
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: bareSecret,
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
      CONTRACT_MODE: 'strict',
    });
  });

  afterAll(async () => {
    await receiver?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the receiver accepts a delivery standardwebhooks signed with the same bare secret', async () => {
    const id = `msg_bare${Date.now()}`;
    const response = await fetch(`${receiver.url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...referenceHeaders(bareSecret, id, docsPage) },
      body: docsPage,
    });
    expect(response.status, await response.text()).toBe(200);
  });

  it('the receiver refuses a delivery standardwebhooks signed with another bare secret', async () => {
    const other = Buffer.from('another-bare-secret-of-24b').toString('base64');
    const response = await fetch(`${receiver.url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...referenceHeaders(other, 'msg_other1', docsPage) },
      body: docsPage,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('no_matching_signature');
  });

  it('mock-sender sign with the bare secret gives headers standardwebhooks verifies', async () => {
    const file = join(dir, 'body.json');
    writeFileSync(file, docsPage);
    const run = await runBuiltSender(
      ['sign', '--json', '--id', 'msg_sign1', '--file', file, '--secret', bareSecret],
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    const headers = JSON.parse(run.stdout) as Record<string, string>;
    expect(headers['webhook-id']).toBe('msg_sign1');
    expect(() =>
      new ReferenceWebhook(bareSecret).verify(docsPage, headers, { jsonParse: false }),
    ).not.toThrow();
  });

  it('mock-sender send with the bare secret (from WEBHOOK_SECRET) delivers what standardwebhooks verifies', async () => {
    const verdicts: string[] = [];
    const target: Server = createServer((req, res) => {
      void readBody(req).then((body) => {
        try {
          new ReferenceWebhook(bareSecret).verify(body, req.headers as Record<string, string>, {
            jsonParse: false,
          });
          verdicts.push('verified');
          res.writeHead(200).end();
        } catch (error) {
          verdicts.push((error as Error).message);
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = target.address() as AddressInfo;
      const run = await runBuiltSender(
        ['send', '--to', `http://127.0.0.1:${port}/`, '--generate', '3', '--seed', '5', '--no-progress'],
        { WEBHOOK_SECRET: `${bareSecret}\n` },
      );
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(verdicts).toEqual(['verified', 'verified', 'verified']);
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
  });

  it('mock-sender check with the bare secret passes the receiver configured with it', async () => {
    const run = await runBuiltSender(
      ['check', '--to', `${receiver.url}/webhooks`, '--secret', bareSecret],
      {},
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

describe('one reading of a secret setting: library, receiver and mock sender agree', () => {
  const probe = { id: 'msg_probe', timestamp: 1_700_000_000, body: '{"probe":true}' };
  const wsHex = whopSecret.slice('ws_'.length);

  /** The signature the setting leads to, or 'refused'. */
  function viaLibrary(value: string): string {
    try {
      return new Webhook(value).sign(probe.id, probe.timestamp, probe.body);
    } catch (error) {
      if (error instanceof WebhookConfigError) return 'refused';
      throw error;
    }
  }
  function viaReceiver(value: string): string {
    try {
      const { secrets } = loadConfig({ env: { WEBHOOK_SECRET: value }, argv: [] });
      return new Webhook(secrets).sign(probe.id, probe.timestamp, probe.body);
    } catch (error) {
      if (error instanceof ConfigError) return 'refused';
      throw error;
    }
  }
  function viaSender(value: string): string {
    try {
      return new Webhook(resolveSecrets(value, {})).sign(probe.id, probe.timestamp, probe.body);
    } catch (error) {
      if (error instanceof WebhookConfigError || (error as { code?: string }).code === 'missing_secret') {
        return 'refused';
      }
      throw error;
    }
  }

  const bareSignature = new Webhook(whsecSecret).sign(probe.id, probe.timestamp, probe.body);
  const wsSignature = new Webhook(whopSecret).sign(probe.id, probe.timestamp, probe.body);
  it.each([
    ['a bare base64 secret', bareSecret, bareSignature],
    ['a secret with a trailing newline (env file)', `${bareSecret}\n`, bareSignature],
    ['a secret with a CRLF and leading spaces', `  ${whopSecret}\r\n`, wsSignature],
    ['a rotation list with spaces', ` ${whopSecret} , ${bareSecret} `, `${wsSignature} ${bareSignature}`],
    ['a list with a stray comma', `${whopSecret},`, wsSignature],
    ['a quoted secret', `"${bareSecret}"`, 'refused'],
    ['a quoted list', `"${whopSecret},${bareSecret}"`, 'refused'],
    ['a ws_ secret without its prefix', wsHex, 'refused'],
    ['a password that is not base64', 'my-webhook-secret!', 'refused'],
    ['only commas and spaces', ' , ', 'refused'],
  ])('%s', (_what, value, expected) => {
    expect(viaLibrary(value)).toBe(expected);
    expect(viaReceiver(value)).toBe(expected);
    expect(viaSender(value)).toBe(expected);
  });
});
