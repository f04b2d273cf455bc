// The built receiver facing hostile clients over real sockets: a raw TCP client sends headers and
// part of a body and then stalls, sends only part of its headers, holds idle sockets, floods
// connections, or sends requests whose headers alone condemn them. Each defence is checked on the
// wire: the status and error code, and whether the connection was closed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
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
import { parseResponse, type RawResponse } from '../reliability/support/rawHttp.js';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'exposure-read-token';
const dirs: string[] = [];
const running: RunningProgram[] = [];

afterAll(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sqliteUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'receiver-exposure-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'receiver.sqlite')}`;
}

async function start(env: Record<string, string>): Promise<{ url: string; port: number }> {
  const receiver = await startBuiltReceiver({
    WEBHOOK_SECRET: whsecSecret,
    RECEIVER_API_TOKEN: apiToken,
    DATABASE_URL: sqliteUrl(),
    ...env,
  });
  running.push(receiver);
  return { url: receiver.url, port: Number(new URL(receiver.url).port) };
}

/** A raw client: whatever the server sends is collected; `closed` resolves when it closes. */
interface RawClient {
  socket: Socket;
  closed: Promise<void>;
  /** The first complete response, or null if the connection closed without one. */
  response(): Promise<RawResponse | null>;
  received(): Buffer;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        received: () => Buffer.concat(chunks),
        response: async () => {
          for (;;) {
            const parsed = parseResponse(Buffer.concat(chunks));
            if (parsed !== null) return parsed;
            const done = await Promise.race([
              closed.then(() => true),
              new Promise<false>((r) => socket.once('data', () => r(false))),
            ]);
            if (done) return parseResponse(Buffer.concat(chunks));
          }
        },
      }),
    );
    socket.once('error', reject);
  });
}

function newId(): string {
  return `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

function eventBody(id: string, type = 'membership.activated'): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: `evt_${id}`,
      api_version: 'v1',
      type,
      timestamp: new Date().toISOString(),
      company_id: 'biz_exposure',
      data: {},
    }),
  );
}

/** Request head (no body) for `headers`, keep-alive unless told otherwise. */
function head(headers: Record<string, string>, contentLength: number, close = false): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return (
    `POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${lines.join('')}` +
    `content-length: ${contentLength}\r\n${close ? 'connection: close\r\n' : ''}\r\n`
  );
}

function errorCode(response: RawResponse | null): string | undefined {
  if (response === null) return undefined;
  return (JSON.parse(response.body.toString('utf8')) as { error?: { code?: string } }).error?.code;
}

async function deliver(url: string, body: Buffer, id = newId()): Promise<{ status: number; id: string }> {
  const signed = referenceSigned(whsecSecret, id, body);
  const res = await post(`${url}/webhooks`, signed);
  return { status: res.status, id };
}

/** One value of a counter or gauge from GET /metrics (0 when the series is absent). */
async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Waits (with a deadline) until a /metrics series has the value. */
async function metricReaches(url: string, series: string, value: number): Promise<void> {
  await eventually(`${series} = ${value}`, async () =>
    (await metric(url, series)) === value ? true : undefined,
  );
}

/** Plausible webhook headers with a made-up signature: they pass the header precheck, not the HMAC. */
function unsignedHeaders(id = newId()): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}`,
  };
}

/** Opens `count` connections that announce `contentLength` bytes of body, send one, and stall. */
async function stallUnsigned(port: number, count: number, contentLength: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await rawClient(port);
    client.socket.write(`${head(unsignedHeaders(), contentLength)}{`);
    clients.push(client);
  }
  return clients;
}

// Timeouts far from their defaults (10 s and 30 s): an answer at the default would miss the
// windows below, so each test fails if its setting is not wired through to the server. The body
// rate window is at its maximum, so only REQUEST_TIMEOUT_SECONDS can cut the stalled body.
describe('timeouts (HEADERS_TIMEOUT_SECONDS=2, REQUEST_TIMEOUT_SECONDS=4)', () => {
  let port: number;
  let url: string;
  beforeAll(async () => {
    ({ port, url } = await start({
      HEADERS_TIMEOUT_SECONDS: '2',
      REQUEST_TIMEOUT_SECONDS: '4',
      BODY_RATE_WINDOW_SECONDS: '60',
    }));
  });

  it('answers a body that stops arriving with 408 request_timeout at REQUEST_TIMEOUT_SECONDS and closes the connection', async () => {
    const id = newId();
    const signed = referenceSigned(whsecSecret, id, eventBody(id));
    const client = await rawClient(port);
    const started = performance.now();
    client.socket.write(head(signed.headers, signed.body.length));
    client.socket.write(signed.body.subarray(0, 10));
    const response = await client.response();
    const seconds = (performance.now() - started) / 1000;
    expect(response?.status).toBe(408);
    expect(response?.headers['connection']).toBe('close');
    expect(errorCode(response)).toBe('request_timeout');
    // 4 s, checked every 0.5 s: well before the 30 s default.
    expect(seconds).toBeGreaterThan(3.5);
    expect(seconds).toBeLessThan(8);
    await client.closed;
    // Nothing of it was stored.
    const res = await fetch(`${url}/events/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(res.status).toBe(404);
  });

  it('answers headers that stop arriving with 408 request_timeout at HEADERS_TIMEOUT_SECONDS and closes the connection', async () => {
    const client = await rawClient(port);
    const started = performance.now();
    client.socket.write('POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\nwebhook-id: msg_');
    const response = await client.response();
    const seconds = (performance.now() - started) / 1000;
    expect(response?.status).toBe(408);
    expect(errorCode(response)).toBe('request_timeout');
    // 2 s, checked every 0.5 s: far from the 10 s default, and before the 4 s request timeout.
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(3.9);
    await client.closed;
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const id = newId();
    const signed = referenceSigned(whsecSecret, id, eventBody(id));
    const client = await rawClient(port);
    client.socket.write(head(signed.headers, signed.body.length));
    client.socket.write(signed.body);
    const response = await client.response();
    expect(response?.status).toBe(200);
    expect(response?.headers['keep-alive']).toMatch(/timeout=5/);
    // Then nothing is sent: the server closes the socket by itself.
    await client.closed;
    expect(client.socket.destroyed).toBe(true);
  });
});

describe('headers judged before the body', () => {
  let port: number;
  beforeAll(async () => {
    // A long request timeout: any answer below comes from the header check, not from a timeout.
    ({ port } = await start({ REQUEST_TIMEOUT_SECONDS: '120', HEADERS_TIMEOUT_SECONDS: '60' }));
  });

  const now = () => String(Math.floor(Date.now() / 1000));
  const goodSignature = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
  const cases: { name: string; headers: Record<string, string>; code: string }[] = [
    {
      name: 'a missing webhook-id',
      headers: { 'webhook-timestamp': now(), 'webhook-signature': goodSignature },
      code: 'missing_header',
    },
    {
      name: 'a timestamp that is not digits',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': '17e9', 'webhook-signature': goodSignature },
      code: 'invalid_timestamp',
    },
    {
      name: 'a timestamp outside the tolerance',
      headers: {
        'webhook-id': 'msg_x',
        'webhook-timestamp': '1000000000',
        'webhook-signature': goodSignature,
      },
      code: 'timestamp_too_old',
    },
    {
      name: 'a signature header without a v1 entry',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': now(), 'webhook-signature': 'v2,abc' },
      code: 'invalid_signature_header',
    },
  ];

  for (const { name, headers, code } of cases) {
    it(`answers ${name} with 401 ${code} while the body is still outstanding`, async () => {
      const client = await rawClient(port);
      // 200 KiB announced, 100 bytes sent, then nothing: only the headers can have been judged.
      client.socket.write(head(headers, 200 * 1024));
      client.socket.write(Buffer.alloc(100, 0x20));
      const response = await client.response();
      expect(response?.status).toBe(401);
      expect(errorCode(response)).toBe(code);
      client.socket.destroy();
    });
  }
});

describe('early answers while the body is still being sent', () => {
  let port: number;
  let url: string;
  beforeAll(async () => {
    ({ port, url } = await start({
      MAX_BODY_BYTES: '65536',
      REQUEST_TIMEOUT_SECONDS: '120',
      HEADERS_TIMEOUT_SECONDS: '60',
    }));
  });

  const total = 1024 * 1024;
  const cases = [
    { name: '401 from the headers', code: 'missing_header', headers: () => ({ 'webhook-id': newId() }) },
    { name: '413 from the content-length', code: 'payload_too_large', headers: () => unsignedHeaders() },
  ];

  for (const { name, code, headers } of cases) {
    for (const close of [false, true]) {
      it(`sends the ${name} before the body ends, then reads the rest (${close ? 'connection: close' : 'keep-alive'})`, async () => {
        const counted = `webhook_deliveries_total{outcome="${code === 'payload_too_large' ? 'too_large' : 'rejected_signature'}"}`;
        const countedBefore = await metric(url, counted);
        const client = await rawClient(port);
        client.socket.write(head(headers(), total, close));
        // A quarter of the body, then nothing until the answer is in.
        client.socket.write(Buffer.alloc(total / 4, 0x20));
        const answer = await client.response();
        // The client is still sending (3/4 of the body are outstanding) when it reads the answer.
        expect(answer?.status).toBe(code === 'payload_too_large' ? 413 : 401);
        expect(errorCode(answer)).toBe(code);
        expect(answer?.headers['connection']).toBe(close ? 'close' : 'keep-alive');
        expect(await metric(url, counted)).toBe(countedBefore + 1);
        const received = client.received().length;
        client.socket.write(Buffer.alloc((3 * total) / 4, 0x20));
        if (close) {
          // The rest was read, so the server closes without a reset and nothing more is sent.
          let reset = false;
          client.socket.once('error', () => {
            reset = true;
          });
          await client.closed;
          expect(reset).toBe(false);
          expect(client.received().length).toBe(received);
        } else {
          // The same connection serves the next request.
          const id = newId();
          const signed = referenceSigned(whsecSecret, id, eventBody(id));
          client.socket.write(head(signed.headers, signed.body.length));
          client.socket.write(signed.body);
          const next = await eventually(
            'the next answer',
            async () => parseResponse(client.received().subarray(received)) ?? undefined,
          );
          expect(next.status).toBe(200);
          expect(JSON.parse(next.body.toString('utf8'))).toMatchObject({ webhook_id: id });
          client.socket.destroy();
        }
      });
    }
  }
});

describe('MIN_BODY_BYTES_PER_SECOND=4096 over BODY_RATE_WINDOW_SECONDS=2', () => {
  it('cuts a signed body arriving at 2 KiB/s with 408 body_too_slow after about 2 s, storing nothing', async () => {
    // Both far from their defaults (1024 bytes/s over 5 s): 2 KiB/s passes the default rate, and
    // the default window would cut only after 5 s; the request timeout is out of the way.
    const { port, url } = await start({
      MIN_BODY_BYTES_PER_SECOND: '4096',
      BODY_RATE_WINDOW_SECONDS: '2',
      REQUEST_TIMEOUT_SECONDS: '60',
      HEADERS_TIMEOUT_SECONDS: '30',
    });
    const id = newId();
    const body = eventBody('y'.repeat(100_000));
    const signed = referenceSigned(whsecSecret, id, body);
    const client = await rawClient(port);
    const started = performance.now();
    client.socket.write(head(signed.headers, body.length));
    let sent = 0;
    const pacer = setInterval(() => {
      if (client.socket.destroyed) return;
      client.socket.write(body.subarray(sent, sent + 1024));
      sent += 1024;
    }, 500);
    const response = await client.response();
    clearInterval(pacer);
    const seconds = (performance.now() - started) / 1000;
    expect(response?.status).toBe(408);
    expect(errorCode(response)).toBe('body_too_slow');
    expect(response?.headers['connection']).toBe('close');
    // One 2 s window, checked every 0.5 s.
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(4);
    await client.closed;
    expect(await metric(url, 'webhook_deliveries_total{outcome="body_too_slow"}')).toBe(1);
    const stored = await fetch(`${url}/events/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(stored.status).toBe(404);
  });
});

describe('refusal logs', () => {
  it('writes a bounded number of lines for 2 000 unsigned requests on one connection, then how many it suppressed', async () => {
    const receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: apiToken,
      DATABASE_URL: sqliteUrl(),
    });
    running.push(receiver);
    const port = Number(new URL(receiver.url).port);
    const logBefore = receiver.output().length;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/webhooks',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const floodSeconds = (performance.now() - started) / 1000;
    agent.destroy();
    expect(Object.fromEntries(statuses)).toEqual({ 401: 2000 });

    const refusal = 'delivery rejected before its body: webhook headers';
    const lines = () =>
      receiver
        .output()
        .slice(logBefore)
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { msg: string; suppressed?: number; kind?: string }];
          } catch {
            return [];
          }
        });
    // Each 5 s interval writes its suppressed count when it ends.
    const written = await eventually('every refusal written or counted as suppressed', async () => {
      const all = lines();
      const refused = all.filter((l) => l.msg === refusal).length;
      const suppressed = all
        .filter((l) => l.kind === 'rejected_signature')
        .reduce((n, l) => n + (l.suppressed ?? 0), 0);
      return refused + suppressed === 2000 ? { refused, all } : undefined;
    });
    const intervals = Math.ceil(floodSeconds / 5) + 1;
    expect(written.refused).toBeGreaterThanOrEqual(10);
    expect(written.refused).toBeLessThanOrEqual(10 * intervals);
    expect(written.all.length).toBeLessThanOrEqual(11 * intervals);
    expect(written.all.find((l) => l.kind === 'rejected_signature')?.msg).toMatch(
      /^suppressed \d+ more "rejected_signature" log lines \(at most 10 per 5 s are written\)$/,
    );
    const bytes = Buffer.byteLength(receiver.output().slice(logBefore));
    expect(bytes).toBeLessThan(2000 * intervals);
  });

  it('logs a signed event with a 200 KB type with the type cut to 200 characters', async () => {
    const receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: apiToken,
      DATABASE_URL: sqliteUrl(),
    });
    running.push(receiver);
    const logBefore = receiver.output().length;
    const type = 't'.repeat(200_000);
    const { status, id } = await deliver(receiver.url, eventBody('long', type));
    expect(status).toBe(200);
    const line = await eventually('the unhandled event logged', async () =>
      receiver
        .output()
        .slice(logBefore)
        .split('\n')
        .find((l) => l.includes('delivery of an unknown type kept')),
    );
    expect(line.length).toBeLessThan(1000);
    expect(JSON.parse(line)).toMatchObject({
      webhookId: id,
      type: `${'t'.repeat(200)}…[truncated, 200000 chars]`,
    });
  });
});

describe('bounds on bodies in flight and on connections', () => {
  it('keeps answering signed deliveries 200 while 300 unsigned requests stall, with MAX_INFLIGHT_BODY_BYTES low', async () => {
    const { port, url } = await start({
      MAX_BODY_BYTES: '65536',
      MAX_INFLIGHT_BODY_BYTES: '262144',
      BODY_RATE_WINDOW_SECONDS: '60',
      REQUEST_TIMEOUT_SECONDS: '120',
      HEADERS_TIMEOUT_SECONDS: '60',
    });
    // 300 × 64 KiB announced is 75 times the budget; each sent one byte.
    const stalled = await stallUnsigned(port, 300, 65536);
    const inflight = 'webhook_inflight_body_bytes';
    await metricReaches(url, inflight, 300);
    for (let i = 0; i < 20; i++) expect((await deliver(url, eventBody('during'))).status).toBe(200);

    // Bytes that did arrive count: four requests send 60 000 of their 65 536 bytes and stall.
    const fillers: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const client = await rawClient(port);
      client.socket.write(head(unsignedHeaders(), 65536));
      client.socket.write(Buffer.alloc(60_000, 0x20));
      fillers.push(client);
    }
    await metricReaches(url, inflight, 240_300);
    // 21 844 bytes are left: a signed delivery of 30 000 bytes does not fit. It is refused (503
    // overloaded) until the fillers have held their bytes for a second; then one filler (the
    // largest, and the first among equals) is cut to make room, and the delivery is stored.
    const large = eventBody('x'.repeat(30_000));
    let refusals = 0;
    let status = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && status !== 200; ) {
      const res = await fetch(`${url}/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...referenceSigned(whsecSecret, newId(), large).headers,
        },
        body: large,
      });
      status = res.status;
      const answer = (await res.json()) as { error?: { code: string } };
      if (status !== 200) {
        refusals++;
        expect(status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(answer.error?.code).toBe('overloaded');
      }
    }
    expect(status).toBe(200);
    const cut = await fillers[0]!.response();
    expect(cut?.status).toBe(503);
    expect(errorCode(cut)).toBe('overloaded');
    expect(await metric(url, 'webhook_deliveries_total{outcome="overloaded"}')).toBe(refusals + 1);
    // The other three fillers (and the 300 stalled requests) still hold theirs.
    await metricReaches(url, inflight, 180_300);

    for (const client of fillers) client.socket.destroy();
    await metricReaches(url, inflight, 300);
    for (const client of stalled) client.socket.destroy();
  });

  it('closes connections beyond MAX_CONNECTIONS at once and serves again when some close', async () => {
    const { port, url } = await start({ MAX_CONNECTIONS: '3' });
    const held = await Promise.all([rawClient(port), rawClient(port), rawClient(port)]);
    // Let the server register all three before the fourth arrives.
    for (const client of held) client.socket.write('POST /webhooks HTTP/1.1\r\nhost: x\r\n');
    const extra = await rawClient(port);
    await extra.closed;
    expect(extra.received().length).toBe(0);
    for (const client of held) client.socket.destroy();
    let status = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && status !== 200; ) {
      status = await deliver(url, eventBody('after')).then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });
});

describe('what is stored and what is refused', () => {
  it('keeps only allow-listed request headers and serves back nothing else', async () => {
    const { port, url } = await start({});
    const id = newId();
    const signed = referenceSigned(whsecSecret, id, eventBody(id));
    const client = await rawClient(port);
    client.socket.write(
      head(
        {
          ...signed.headers,
          'user-agent': 'Svix-Webhooks/1.0',
          cookie: 'session=secret-cookie',
          'x-forwarded-for': '10.1.2.3',
          'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
          'x-custom': 'anything',
        },
        signed.body.length,
        true,
      ),
    );
    client.socket.write(signed.body);
    expect((await client.response())?.status).toBe(200);
    const res = await fetch(`${url}/events/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    const event = (await res.json()) as { headers: Record<string, string> };
    expect(Object.keys(event.headers).sort()).toEqual([
      'content-length',
      'content-type',
      'user-agent',
      'webhook-id',
      'webhook-timestamp',
    ]);
    expect(event.headers['user-agent']).toBe('Svix-Webhooks/1.0');
  });

  const nulType = `membership.activated${String.fromCharCode(0)}x`;
  async function refusesNulType(url: string): Promise<void> {
    const good = await deliver(url, eventBody('a'));
    const bad = newId();
    const signed = referenceSigned(whsecSecret, bad, eventBody(bad, nulType));
    const res = await post(`${url}/webhooks`, signed);
    const answer = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(res.status).toBe(422);
    expect(answer.error.code).toBe('unstorable_delivery');
    expect(answer.error.message).toContain('NUL');
    expect(good.status).toBe(200);
    const stored = await fetch(`${url}/events/${bad}`, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(stored.status).toBe(404);
  }

  it('refuses a signed event whose type holds a NUL with 422 unstorable_delivery (SQLite)', async () => {
    const { url } = await start({});
    await refusesNulType(url);
  });

  it('refuses a signed event whose type holds a NUL with 422 unstorable_delivery (PostgreSQL)', async () => {
    const schema = testSchema('exposure');
    try {
      const { url } = await start({ DATABASE_URL: databaseUrlFor(schema) });
      await refusesNulType(url);
    } finally {
      for (const r of running.splice(0)) await r.stop();
      await dropSchema(schema);
    }
  });
});

describe('PostgreSQL session settings', () => {
  it('refuses at start a DATABASE_URL whose options would turn off durable commits', async () => {
    const url = `${databaseUrlFor(testSchema('exposure'))}&options=${encodeURIComponent('-c synchronous_commit=off')}`;
    const refusal = await startBuiltReceiver({ WEBHOOK_SECRET: whsecSecret, DATABASE_URL: url }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/exited with code 2/);
    expect(refusal).toContain('options parameter sets synchronous_commit');
  });
});

describe('one process per SQLite file', () => {
  it('makes a second receiver on the same file exit non-zero naming the holder, and lets a restart after SIGKILL in', async () => {
    const databaseUrl = sqliteUrl();
    const env = { WEBHOOK_SECRET: whsecSecret, DATABASE_URL: databaseUrl };
    const first = await startBuiltReceiver(env);
    const pid = first.child.pid!;
    const second = startBuiltReceiver(env).then(
      () => 'started',
      (error: Error) => error.message,
    );
    const refusal = await second;
    expect(refusal).toMatch(/exited with code 2/);
    expect(refusal).toContain(`is in use by another receiver process (pid ${pid})`);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const restarted = await startBuiltReceiver(env);
    running.push(restarted);
    expect((await deliver(restarted.url, eventBody('restart'))).status).toBe(200);
  });
});

describe('a port in use', () => {
  it('is one line on stderr and exit 2, not a stack or a log record', async () => {
    const first = await startBuiltReceiver({ WEBHOOK_SECRET: whsecSecret, DATABASE_URL: sqliteUrl() });
    running.push(first);
    const port = new URL(first.url).port;
    const refusal = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      DATABASE_URL: sqliteUrl(),
      PORT: port,
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/exited with code 2/);
    expect(refusal).toContain(
      `webhook-receiver: 127.0.0.1:${port} is in use: stop what holds it, or pick another PORT (--port)`,
    );
  });
});
