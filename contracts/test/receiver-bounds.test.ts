// The built receiver against bodies built to make it answer, store or buffer without bound: a
// signed chat.message.created whose `mentions` holds 125 000 numbers (one contract error each), and
// exports of ~200 KB bodies to clients that never read. Each bound is checked on the wire, and the
// export limit with a non-default MAX_CONCURRENT_EXPORTS passed through the environment.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  deliver as post,
  type RunningProgram,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'bounds-read-token';
const auth = { authorization: `Bearer ${apiToken}` };
const dirs: string[] = [];
const schemas: string[] = [];
const running: RunningProgram[] = [];

afterAll(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const s of schemas.splice(0)) await dropSchema(s);
});

function sqliteUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'receiver-bounds-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'receiver.sqlite')}`;
}

function postgresUrl(): string {
  const schema = testSchema('bounds');
  schemas.push(schema);
  return databaseUrlFor(schema);
}

async function start(env: Record<string, string>): Promise<RunningProgram & { url: string; port: number }> {
  const receiver = await startBuiltReceiver({
    WEBHOOK_SECRET: whsecSecret,
    RECEIVER_API_TOKEN: apiToken,
    ...env,
  });
  running.push(receiver);
  return { ...receiver, port: Number(new URL(receiver.url).port) };
}

const newId = () => `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

async function deliver(url: string, body: Buffer): Promise<{ id: string; status: number; text: string }> {
  const id = newId();
  const signed = referenceSigned(whsecSecret, id, body);
  const res = await post(`${url}/webhooks`, signed);
  return { id, status: res.status, text: res.text };
}

/** The published chat.message.created example with 125 000 numbers as its mentions: ~250 KB. */
function mentionsBody(): Buffer {
  const example = JSON.parse(
    readFileSync(join(contractsDir, 'examples/chat.message.created/valid.example.json'), 'utf8'),
  ) as { data: { message: { mentions: unknown[] } } };
  example.data.message.mentions = Array.from({ length: 125_000 }, (_, i) => i % 10);
  return Buffer.from(JSON.stringify(example));
}

interface ContractErrors {
  errors?: { pointer: string; message: string }[];
  details?: { pointer: string; message: string }[];
  error_count: number;
  errors_truncated: boolean;
}

const firstTwenty = Array.from({ length: 20 }, (_, i) => ({
  pointer: `/data/message/mentions/${i}`,
  message: 'must be string',
}));

describe.each([
  ['SQLite', sqliteUrl],
  ['PostgreSQL', postgresUrl],
])('contract errors of a 125 000-mention body (%s)', (_name, databaseUrl) => {
  let url: string;
  const body = mentionsBody();
  let stored: string[] = [];

  beforeAll(async () => {
    ({ url } = await start({ DATABASE_URL: databaseUrl() }));
  });

  it('answers the quarantine in about a kilobyte: the first 20 errors and how many were found', async () => {
    expect(body.length).toBeGreaterThan(240_000);
    const answer = await deliver(url, body);
    stored.push(answer.id);
    expect(answer.status).toBe(200);
    // 8.7 MB before errors were bounded.
    expect(Buffer.byteLength(answer.text)).toBeLessThan(4096);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'quarantined',
      webhook_id: answer.id,
      errors: firstTwenty,
      // Validation stops collecting after 1000 failed checks.
      error_count: 1000,
      errors_truncated: true,
    });
  });

  it('stores the bounded errors and serves them back from GET /events/:id', async () => {
    const id = stored[0];
    expect(id).toBeDefined();
    const res = await fetch(`${url}/events/${id}`, { headers: auth });
    expect(res.status).toBe(200);
    const event = (await res.json()) as ContractErrors & { status: string };
    expect(event).toMatchObject({
      status: 'quarantined',
      errors: firstTwenty,
      error_count: 1000,
      errors_truncated: true,
    });
  });

  it('keeps GET /events?limit=50 over ten such events small (84 MB before)', async () => {
    for (let i = 0; i < 9; i++) {
      const answer = await deliver(url, body);
      expect(answer.status).toBe(200);
      stored.push(answer.id);
    }
    const res = await fetch(`${url}/events?limit=50`, { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    // The 1 MiB page bound is far off: ten summaries of 20 errors each are about 16 KB.
    expect(Buffer.byteLength(text)).toBeLessThan(32 * 1024);
    const page = JSON.parse(text) as { events: (ContractErrors & { webhook_id: string })[] };
    expect(page.events.map((e) => e.webhook_id).sort()).toEqual([...stored].sort());
    for (const e of page.events) expect(e).toMatchObject({ errors: firstTwenty, error_count: 1000 });
    stored = [];
  });
});

describe('contract errors in strict mode', () => {
  it('answers 422 with the first 20 errors as details, the count, and stores nothing', async () => {
    const { url } = await start({ DATABASE_URL: sqliteUrl(), CONTRACT_MODE: 'strict' });
    const answer = await deliver(url, mentionsBody());
    expect(answer.status).toBe(422);
    expect(Buffer.byteLength(answer.text)).toBeLessThan(4096);
    const { error } = JSON.parse(answer.text) as {
      error: ContractErrors & { code: string; message: string };
    };
    expect(error).toMatchObject({
      code: 'contract_violation',
      details: firstTwenty,
      error_count: 1000,
      errors_truncated: true,
    });
    expect(error.message).toContain('and at least 995 more');
    expect((await fetch(`${url}/events/${answer.id}`, { headers: auth })).status).toBe(404);
  });
});

/** ~200 KB bodies of a type the contract does not know: kept as `unhandled`, no errors. */
async function storePadded(url: string, count: number): Promise<void> {
  const pad = 'x'.repeat(200_000);
  for (let i = 0; i < count; i++) {
    const body = Buffer.from(
      JSON.stringify({
        id: `evt_${i}`,
        api_version: 'v1',
        type: 'bounds.padding',
        timestamp: new Date().toISOString(),
        data: { pad },
      }),
    );
    const answer = await deliver(url, body);
    expect(answer.status).toBe(200);
  }
}

/** A client that asks for the export and stops reading once the answer starts. */
interface StalledExport {
  socket: Socket;
  /** The status line, once the answer has started. */
  status(): string | undefined;
  /** Everything received (only the first chunk, since it stops reading there). */
  text(): string;
}

function stalledExport(port: number): StalledExport {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let first = '';
  socket.once('data', (chunk: Buffer) => {
    first = chunk.toString('latin1');
    socket.pause();
  });
  socket.write(`GET /events/export HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${apiToken}\r\n\r\n`);
  return {
    socket,
    status: () => (first === '' ? undefined : first.slice(0, first.indexOf('\r\n'))),
    text: () => first,
  };
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe('exports to clients that do not read', () => {
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });

  it('answers the export past MAX_CONCURRENT_EXPORTS (2 here) with 429 and Retry-After', async () => {
    const { url, port } = await start({ DATABASE_URL: sqliteUrl(), MAX_CONCURRENT_EXPORTS: '2' });
    // 40 × 200 KB (54 MB of base64): more than the socket buffers hold, so both exports stay open.
    await storePadded(url, 40);
    const held = [stalledExport(port), stalledExport(port)];
    sockets.push(...held.map((h) => h.socket));
    await eventually('both exports started', async () =>
      held.every((h) => h.status() !== undefined) ? true : undefined,
    );
    expect(held.map((h) => h.status())).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    const refused = await fetch(`${url}/events/export`, { headers: auth });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_exports');
    // A slot frees once its client leaves.
    held[0]?.socket.destroy();
    const again = await eventually('an export slot freed', async () => {
      const res = await fetch(`${url}/events/export?type=none`, { headers: auth });
      await res.arrayBuffer();
      return res.status === 200 ? res.status : undefined;
    });
    expect(again).toBe(200);
  });

  it('holds a bounded amount per non-reading export: 20 of them over 200 KB bodies add well under 150 MB', async () => {
    const receiver = await start({ DATABASE_URL: sqliteUrl(), MAX_CONCURRENT_EXPORTS: '20' });
    const pid = receiver.child.pid;
    if (pid === undefined) throw new Error('the receiver has no pid');
    // 100 × 200 KB: at 200 events a page every export held all of them (20 MB each, 400 MB+ in all).
    await storePadded(receiver.url, 100);
    const before = rssMegabytes(pid);
    const exports = Array.from({ length: 20 }, () => stalledExport(receiver.port));
    sockets.push(...exports.map((e) => e.socket));
    await eventually('every export started', async () =>
      exports.every((e) => e.status() !== undefined) ? true : undefined,
    );
    expect(new Set(exports.map((e) => e.status()))).toEqual(new Set(['HTTP/1.1 200 OK']));
    // The peak over the next two seconds, while every export waits for its reader.
    let peak = rssMegabytes(pid);
    const until = Date.now() + 2000;
    await eventually('two seconds of samples', async () => {
      peak = Math.max(peak, rssMegabytes(pid));
      return Date.now() >= until ? true : undefined;
    });
    for (const e of exports) e.socket.destroy();
    // Measured: +25 to +40 MB with 1 MiB pages; 600 MB and more with 200-event pages.
    expect(peak - before).toBeLessThan(150);
    // And the receiver still answers.
    const health = await fetch(`${receiver.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
