// v1a end to end, real processes and sockets: `mock-sender keys` makes a pair, the built mock sender
// signs every delivery v1a with the whsk_ key, the built receiver verifies them with the whpk_ key
// alone, and `check` (its v1a cases included) passes against it. Then the migration step: a
// receiver trusting a v1 secret and the whpk_ key, and a sender signing with both.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCaseNames, v1aCheckCaseNames } from '@webhook-contracts/mock-sender';
import {
  ReadApi,
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { signedDelivery } from '@webhook-contracts/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'contracts-v1a-read-token';
let dir: string;
let pair: { signing_key: string; public_key: string };
const receivers: RunningProgram[] = [];

beforeAll(async () => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'contracts-v1a-'));
  const keys = await runBuiltSender(['keys', '--json'], {});
  expect(keys.code, keys.stderr).toBe(0);
  pair = JSON.parse(keys.stdout) as typeof pair;
});

afterAll(async () => {
  for (const r of receivers) await r.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function receiverWith(secret: string, name: string) {
  const receiver = await startBuiltReceiver({
    WEBHOOK_SECRET: secret,
    DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
    CONTRACT_MODE: 'strict',
    RECEIVER_API_TOKEN: apiToken,
  });
  receivers.push(receiver);
  return receiver;
}

async function check(url: string, secret: string) {
  const run = await runBuiltSender(['check', '--to', `${url}/webhooks`, '--json'], {
    WEBHOOK_SECRET: secret,
  });
  return { code: run.code, stderr: run.stderr, ...(JSON.parse(run.stdout) as CheckOutput) };
}

interface CheckOutput {
  passed: boolean;
  results: { case: string; pass: boolean }[];
}

describe('mock-sender keys', () => {
  it('prints a whsk_/whpk_ pair', () => {
    expect(pair.signing_key).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(pair.public_key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  });
});

describe('a receiver holding only the whpk_ key', () => {
  let receiver: RunningProgram & { url: string };

  beforeAll(async () => {
    receiver = await receiverWith(pair.public_key, 'v1a-only');
  });

  it('stores every delivery the sender signed v1a with the whsk_ key', async () => {
    const reportFile = join(dir, 'report.jsonl');
    const run = await runBuiltSender(
      [
        'send',
        '--to',
        `${receiver.url}/webhooks`,
        '--generate',
        '20',
        '--seed',
        '3',
        '--report',
        reportFile,
        '--json',
      ],
      { WEBHOOK_SECRET: pair.signing_key },
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { id: string; status: number });
    expect(lines).toHaveLength(20);
    expect(new Set(lines.map((l) => l.status))).toEqual(new Set([200]));
    const stored = await new ReadApi(receiver.url, apiToken).get<{ webhook_id: string }>(
      `/events/${lines[0]!.id}`,
    );
    expect(stored.status).toBe(200);
  });

  it('passes mock-sender check, the v1a cases included', async () => {
    const result = await check(receiver.url, pair.signing_key);
    expect(result.results.map((r) => r.case)).toEqual([...checkCaseNames, ...v1aCheckCaseNames]);
    expect(result.results.filter((r) => !r.pass)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.code).toBe(0);
  });

  it('refuses a delivery signed v1 with 401 invalid_signature_header', async () => {
    const d = signedDelivery({ secret: whsecSecret, payload: { type: 'x' } });
    const response = await fetch(`${receiver.url}/webhooks`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_signature_header',
    );
  });

  it('shows webhook_signature_schemes with v1a trusted and v1 not', async () => {
    const text = await (await fetch(`${receiver.url}/metrics`)).text();
    expect(text).toContain('webhook_signature_schemes{scheme="v1"} 0');
    expect(text).toContain('webhook_signature_schemes{scheme="v1a"} 1');
  });
});

describe('the migration step: v1 and v1a side by side', () => {
  it('a receiver trusting whsec_ and whpk_ passes check from a v1 sender and from a v1+v1a sender', async () => {
    const receiver = await receiverWith(`${whsecSecret},${pair.public_key}`, 'migration');
    const v1 = await check(receiver.url, whsecSecret);
    expect(v1.results.filter((r) => !r.pass)).toEqual([]);
    const both = await check(receiver.url, `${whsecSecret},${pair.signing_key}`);
    expect(both.results.map((r) => r.case)).toEqual([...checkCaseNames, ...v1aCheckCaseNames]);
    expect(both.results.filter((r) => !r.pass)).toEqual([]);
  });

  it('the sender refuses a whpk_ key before sending anything (exit 2)', async () => {
    const run = await runBuiltSender(['send', '--to', 'http://127.0.0.1:9/webhooks', '--generate', '1'], {
      WEBHOOK_SECRET: pair.public_key,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/whpk_ public key: it verifies v1a signatures but cannot make them/);
  });
});
