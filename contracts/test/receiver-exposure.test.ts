// The built receiver facing hostile clients over real sockets: a raw TCP client sends headers and
// part of a body and then stalls, sends only part of its headers, holds idle sockets, floods
// connections, or sends requests whose headers alone condemn them. Each defence is checked on the
// wire: the status and error code, and whether the connection was closed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponse, type RawResponse } from '../reliability/support/rawHttp.js';
import {
  type RunningProcess,
  receiverMain,
  requireBuilt,
  startBuiltReceiver,
} from './support/builtPrograms.js';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'exposure-read-token';
const dirs: string[] = [];
const running: RunningProcess[] = [];

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
  requireBuilt([receiverMain]);
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
  const res = await fetch(`${url}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
  await res.arrayBuffer();
  return { status: res.status, id };
}

describe('timeouts (REQUEST_TIMEOUT_SECONDS=2, HEADERS_TIMEOUT_SECONDS=1)', () => {
  let port: number;
  let url: string;
  beforeAll(async () => {
    ({ port, url } = await start({ HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' }));
  });

  it('answers a body that stops arriving with 408 request_timeout and closes the connection', async () => {
    const id = newId();
    const signed = referenceSigned(whsecSecret, id, eventBody(id));
    const client = await rawClient(port);
    client.socket.write(head(signed.headers, signed.body.length));
    client.socket.write(signed.body.subarray(0, 10));
    const response = await client.response();
    expect(response?.status).toBe(408);
    expect(response?.headers['connection']).toBe('close');
    expect(errorCode(response)).toBe('request_timeout');
    await client.closed;
    // Nothing of it was stored.
    const res = await fetch(`${url}/events/${id}`, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(res.status).toBe(404);
  });

  it('answers headers that stop arriving with 408 request_timeout and closes the connection', async () => {
    const client = await rawClient(port);
    client.socket.write('POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\nwebhook-id: msg_');
    const response = await client.response();
    expect(response?.status).toBe(408);
    expect(errorCode(response)).toBe('request_timeout');
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

describe('bounds on bodies in flight and on connections', () => {
  it('answers 503 overloaded with Retry-After once the in-flight body budget is taken, and recovers', async () => {
    const { port, url } = await start({
      MAX_BODY_BYTES: '65536',
      MAX_INFLIGHT_BODY_BYTES: '131072',
      REQUEST_TIMEOUT_SECONDS: '120',
      HEADERS_TIMEOUT_SECONDS: '60',
    });
    const stalled: RawClient[] = [];
    for (let i = 0; i < 2; i++) {
      const id = newId();
      const signed = referenceSigned(whsecSecret, id, eventBody(id));
      const client = await rawClient(port);
      client.socket.write(head(signed.headers, 65536));
      client.socket.write(signed.body);
      stalled.push(client);
    }
    // The two stalled bodies hold the whole budget: a third is refused before its body is read.
    let refused: RawResponse | null = null;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const id = newId();
      const signed = referenceSigned(whsecSecret, id, eventBody(id));
      const client = await rawClient(port);
      client.socket.write(head(signed.headers, signed.body.length, true));
      client.socket.write(signed.body);
      const response = await client.response();
      client.socket.destroy();
      if (response?.status === 503) {
        refused = response;
        break;
      }
      // Until both stalled requests have reached the handler, the third may still get in.
      expect(response?.status).toBe(200);
    }
    expect(refused?.headers['retry-after']).toBe('5');
    expect(errorCode(refused)).toBe('overloaded');

    for (const client of stalled) client.socket.destroy();
    let status = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && status !== 200; ) {
      status = (await deliver(url, eventBody('after'))).status;
    }
    expect(status).toBe(200);
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
    const res = await fetch(`${url}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });
    const answer = (await res.json()) as { error: { code: string; message: string } };
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
