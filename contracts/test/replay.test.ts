// Replaying real traffic into staging, end to end with built processes only. Receiver A (SQLite)
// gets the docs examples, generated events of every type, off-contract events (quarantined) and
// two hand-signed bodies a JSON re-serialiser would change (CRLF, invalid UTF-8). The mock sender's
// `replay` sends A's export to receiver B (another secret, another SQLite file), twice, and a
// saved copy of the export to receiver C (a third secret, on PostgreSQL). Each target must end up
// holding what A holds: the same webhook-ids, byte-identical bodies, the same statuses and the
// same lesson progress; the second replay must add nothing but duplicate deliveries.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportLine } from '@webhook-contracts/schema';
import {
  eventually,
  normaliseProgress,
  ReadApi,
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { whopSecret, whsecSecret } from './support/referenceWebhook.js';

const GENERATED = 300;
const OFF_CONTRACT = 30;
const INVALID_EXAMPLES = [
  'invalid.api-version-v2',
  'invalid.data-is-null',
  'invalid.not-an-object',
  'invalid.missing-id',
];
const stagingSecret = `whsec_${Buffer.from('replay-target-c-secret-32-bytes!').toString('base64')}`;

interface Receiver {
  process: RunningProgram & { url: string };
  api: ReadApi;
  token: string;
}

async function startReceiver(name: string, secret: string, databaseUrl: string): Promise<Receiver> {
  const token = `replay-${name}-read-token`;
  const process = await startBuiltReceiver({
    WEBHOOK_SECRET: secret,
    DATABASE_URL: databaseUrl,
    CONTRACT_MODE: 'quarantine',
    RECEIVER_API_TOKEN: token,
  });
  return { process, api: new ReadApi(process.url, token), token };
}

/** The receiver's whole export: the raw NDJSON text and its parsed lines. */
async function exportOf(r: Receiver): Promise<{ text: string; lines: ExportLine[] }> {
  const res = await fetch(`${r.process.url}/events/export`, {
    headers: { authorization: `Bearer ${r.token}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  const text = await res.text();
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ExportLine);
  return { text, lines };
}

/** What a replay must carry over, per webhook-id: everything but the time it was received. */
function byId(lines: readonly ExportLine[]): Map<string, Omit<ExportLine, 'received_at' | 'webhook_id'>> {
  return new Map(
    lines.map((l) => [l.webhook_id, { type: l.type, status: l.status, body_base64: l.body_base64 }]),
  );
}

/** Waits until the processor has settled every stored event (none left `received`). */
async function settled(r: Receiver, expected: number): Promise<void> {
  await eventually(`${expected} events settled on ${r.process.url}`, async () => {
    const events = await r.api.allEvents();
    return events.length === expected && events.every((e) => e.status !== 'received') ? true : undefined;
  });
}

async function duplicatesCounted(r: Receiver): Promise<number> {
  const text = await (await fetch(`${r.process.url}/metrics`)).text();
  const match = /^webhook_duplicate_deliveries_total (\d+)$/m.exec(text);
  if (match?.[1] === undefined)
    throw new Error(`no webhook_duplicate_deliveries_total in /metrics:\n${text}`);
  return Number(match[1]);
}

/**
 * Standard Webhooks headers for exact bytes (the reference library signs text, which would turn
 * invalid UTF-8 into replacement characters): HMAC-SHA256 of `id.timestamp.body`.
 */
function signedHeaders(secret: string, id: string, body: Buffer): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${mac}`,
    'content-type': 'application/json',
  };
}

function expectOk(run: { code: number | null; stdout: string; stderr: string }, what: string) {
  expect(run.code, `${what}:\n${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as { sent: number; delivered: number; failed: number };
}

describe('replaying one receiver’s traffic into another', () => {
  let dir: string;
  let schemaC: string;
  const receivers: Receiver[] = [];
  let a: Receiver;
  let exportA: { text: string; lines: ExportLine[] };
  let crlfBody: Buffer;
  let binaryBody: Buffer;

  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'contracts-replay-'));
    schemaC = testSchema('replay_c');
    a = await startReceiver('a', whsecSecret, `sqlite:${join(dir, 'a.sqlite')}`);
    receivers.push(a);
    const webhooks = `${a.process.url}/webhooks`;
    const common = ['--to', webhooks, '--retry-schedule', '0.2,0.5', '--json', '--no-progress'];
    const env = { WEBHOOK_SECRET: whsecSecret };
    expectOk(
      await runBuiltSender(
        [
          'send',
          '--all-examples',
          '--generate',
          String(GENERATED),
          '--type',
          'all',
          '--seed',
          '17',
          ...common,
        ],
        env,
      ),
      'send examples and generated events',
    );
    expectOk(
      await runBuiltSender(
        [
          'send',
          '--generate',
          String(OFF_CONTRACT),
          '--type',
          'all',
          '--seed',
          '18',
          '--set',
          'api_version="v2"',
          ...common,
        ],
        env,
      ),
      'send off-contract events',
    );
    expectOk(
      await runBuiltSender(['send', ...INVALID_EXAMPLES.flatMap((e) => ['--example', e]), ...common], env),
      'send invalid examples',
    );
    // Bodies that survive only as bytes: a valid event laid out with CRLF, and invalid UTF-8.
    const docs = JSON.parse(
      readFileSync(join(contractsDir, 'examples/course_lesson_interaction.completed/docs-page.json'), 'utf8'),
    ) as { id: string };
    crlfBody = Buffer.from(
      `${JSON.stringify({ ...docs, id: 'evt_replay_crlf' }, null, 2).replaceAll('\n', '\r\n')}\r\n`,
    );
    binaryBody = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x0d, 0x0a, 0x00, 0xc3, 0x7d]);
    for (const [id, body] of [
      ['msg_replay_crlf', crlfBody],
      ['msg_replay_binary', binaryBody],
    ] as const) {
      const res = await fetch(webhooks, {
        method: 'POST',
        headers: signedHeaders(whsecSecret, id, body),
        body,
      });
      expect(res.status, await res.text()).toBe(200);
    }
    const stored = (await a.api.allEvents()).length;
    await settled(a, stored);
    exportA = await exportOf(a);
  });

  afterAll(async () => {
    const codes = await Promise.all(receivers.map(async (r) => (await r.process.stop()).code));
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (schemaC !== undefined) await dropSchema(schemaC);
    expect(codes, receivers.map((r) => r.process.output()).join('\n')).toEqual(receivers.map(() => 0));
  });

  it('exports every event A stored, oldest first, off-contract and untyped ones included', async () => {
    const events = await a.api.allEvents();
    const lines = exportA.lines;
    expect(lines.map((l) => l.webhook_id).sort()).toEqual(events.map((e) => e.webhook_id).sort());
    expect(lines.length).toBeGreaterThan(GENERATED + OFF_CONTRACT + INVALID_EXAMPLES.length);
    const times = lines.map((l) => Date.parse(l.received_at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const statuses = new Set(lines.map((l) => l.status));
    expect([...statuses].sort()).toEqual(['processed', 'quarantined', 'unhandled']);
    expect(lines.filter((l) => l.status === 'quarantined').length).toBeGreaterThanOrEqual(
      OFF_CONTRACT + INVALID_EXAMPLES.length + 1,
    );
    const line = (id: string) => lines.find((l) => l.webhook_id === id);
    expect(Buffer.from(line('msg_replay_crlf')!.body_base64, 'base64').equals(crlfBody)).toBe(true);
    expect(line('msg_replay_crlf')!.status).toBe('processed');
    expect(line('msg_replay_binary')).toMatchObject({ type: null, status: 'quarantined' });
    expect(Buffer.from(line('msg_replay_binary')!.body_base64, 'base64').equals(binaryBody)).toBe(true);
  });

  describe('replayed from A’s URL into B (another secret, another store), twice', () => {
    let b: Receiver;

    beforeAll(async () => {
      b = await startReceiver('b', whopSecret, `sqlite:${join(dir, 'b.sqlite')}`);
      receivers.push(b);
    });

    it('delivers every event, and B holds the same ids, bytes, statuses and progress as A', async () => {
      const run = await runBuiltSender(
        ['replay', '--from', a.process.url, '--to', `${b.process.url}/webhooks`, '--json', '--no-progress'],
        { WEBHOOK_SECRET: whopSecret, RECEIVER_API_TOKEN: a.token },
      );
      const summary = expectOk(run, 'replay A -> B');
      expect(summary).toMatchObject({
        sent: exportA.lines.length,
        delivered: exportA.lines.length,
        failed: 0,
      });
      await settled(b, exportA.lines.length);
      const exportB = await exportOf(b);
      expect(byId(exportB.lines)).toEqual(byId(exportA.lines));
      const progress = normaliseProgress(await a.api.progress());
      expect(progress.length).toBeGreaterThan(5);
      expect(normaliseProgress(await b.api.progress())).toEqual(progress);
      expect(await duplicatesCounted(b)).toBe(0);
    });

    it('a second replay changes nothing on B: every delivery is a duplicate', async () => {
      const before = await exportOf(b);
      const progressBefore = await b.api.progress();
      const run = await runBuiltSender(
        [
          'replay',
          '--from',
          a.process.url,
          '--token',
          a.token,
          '--to',
          `${b.process.url}/webhooks`,
          '--secret',
          whopSecret,
          '--json',
          '--no-progress',
        ],
        {},
      );
      expect(expectOk(run, 'second replay A -> B')).toMatchObject({
        delivered: exportA.lines.length,
        failed: 0,
      });
      expect(await duplicatesCounted(b)).toBe(exportA.lines.length);
      const after = await exportOf(b);
      // The same lines, received_at included: nothing was stored or processed again.
      expect(after.text).toBe(before.text);
      expect(await b.api.progress()).toEqual(progressBefore);
      const events = await b.api.allEvents();
      expect(events.every((e) => e.deliveries_seen === 2)).toBe(true);
    });
  });

  it('replayed from a saved export file into C (on PostgreSQL), gives C what A holds', async () => {
    const file = join(dir, 'a-export.ndjson');
    writeFileSync(file, exportA.text);
    const c = await startReceiver('c', stagingSecret, databaseUrlFor(schemaC));
    receivers.push(c);
    const run = await runBuiltSender(
      [
        'replay',
        '--from',
        file,
        '--to',
        `${c.process.url}/webhooks`,
        '--secret',
        stagingSecret,
        '--json',
        '--no-progress',
      ],
      {},
    );
    expect(expectOk(run, 'replay file -> C')).toMatchObject({
      sent: exportA.lines.length,
      delivered: exportA.lines.length,
      failed: 0,
    });
    await settled(c, exportA.lines.length);
    expect(byId((await exportOf(c)).lines)).toEqual(byId(exportA.lines));
    expect(normaliseProgress(await c.api.progress())).toEqual(normaliseProgress(await a.api.progress()));
  });
});
