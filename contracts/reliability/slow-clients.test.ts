// Slow clients: hundreds of connections send signed headers and part of a body (or part of their
// headers) and then stall, as a slowloris attacker does, while a sender keeps delivering valid
// events. The valid deliveries must keep getting 200s, every stalled connection must be answered
// 408 and closed by the receiver's timeouts, memory must stay bounded, and no valid event may be
// lost. The timeouts are set low (HEADERS_TIMEOUT_SECONDS / REQUEST_TIMEOUT_SECONDS) so the run
// takes seconds. A second scenario stalls unsigned requests that announce the largest body: what
// they announce must not spend the in-flight body budget the signed deliveries need.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { eventually, ReadApi } from '@webhook-contracts/test-kit';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { sizes } from './support/config.js';
import { inPool, newAgent, post } from './support/httpClient.js';
import { type ReceiverProcess, rssKiB, startReceiverProcess } from './support/processes.js';
import { parseResponse } from './support/rawHttp.js';
import { newSecret, nowSeconds } from './support/signing.js';

const secret = newSecret();
const apiToken = 'reliability-slow-token';
const dir = mkdtempSync(join(tmpdir(), 'reliability-slow-'));
const headersTimeoutSeconds = 2;
const requestTimeoutSeconds = 4;
const receivers: ReceiverProcess[] = [];

afterAll(async () => {
  for (const receiver of receivers) {
    if (receiver.child.exitCode === null) {
      receiver.child.kill('SIGKILL');
      await receiver.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Stalled {
  socket: Socket;
  /** Resolves with what the server sent once it closed the connection. */
  outcome: Promise<{ status: number | null; code: string | null }>;
}

/** Opens a connection that sends `bytes` and then nothing more. */
function stall(port: number, bytes: string | Buffer): Promise<Stalled> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    const outcome = new Promise<{ status: number | null; code: string | null }>((done) =>
      socket.once('close', () => {
        const response = parseResponse(Buffer.concat(chunks));
        let code: string | null = null;
        try {
          code = response
            ? ((JSON.parse(response.body.toString('utf8')) as { error?: { code?: string } }).error?.code ??
              null)
            : null;
        } catch {
          code = null;
        }
        done({ status: response?.status ?? null, code });
      }),
    );
    socket.once('connect', () => {
      socket.write(bytes);
      resolve({ socket, outcome });
    });
    socket.once('error', reject);
  });
}

describe('slow clients', () => {
  it(`keeps answering valid deliveries while ${sizes.slowClients} stalled connections are timed out`, async () => {
    const receiver = await startReceiverProcess({
      secret,
      apiToken,
      databaseUrl: `sqlite:${join(dir, 'slow.sqlite')}`,
      env: {
        HEADERS_TIMEOUT_SECONDS: String(headersTimeoutSeconds),
        REQUEST_TIMEOUT_SECONDS: String(requestTimeoutSeconds),
      },
    });
    receivers.push(receiver);
    const { pid, port, url } = receiver;
    const events = [...generateEvents({ seed: 'reliability-slow', count: sizes.slowValidEvents })];
    const rssBefore = rssKiB(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssKiB(pid));
    }, 50);

    // Half stall in their body (signed headers, 64 KiB announced, 1 KiB sent), half in their headers.
    const stalled: Stalled[] = [];
    const filler = Buffer.alloc(1024, 0x20);
    for (let i = 0; i < sizes.slowClients; i++) {
      const id = `msg_stalled_${i}`;
      if (i % 2 === 0) {
        const headers = signedHeaders({ secret, id, timestamp: nowSeconds(), body: filler });
        const head =
          `POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `webhook-id: ${headers['webhook-id']}\r\nwebhook-timestamp: ${headers['webhook-timestamp']}\r\n` +
          `webhook-signature: ${headers['webhook-signature']}\r\ncontent-length: 65536\r\n\r\n`;
        stalled.push(await stall(port, Buffer.concat([Buffer.from(head), filler])));
      } else {
        stalled.push(
          await stall(port, `POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\nwebhook-id: ${id}\r\n`),
        );
      }
    }
    let stalledClosed = 0;
    for (const s of stalled) void s.outcome.then(() => stalledClosed++);
    const stalledOpenAtStart = sizes.slowClients - stalledClosed;

    // Valid traffic while the stalled connections are open.
    const answers: number[] = [];
    const latenciesMs: number[] = [];
    let answeredWhileAllStalledOpen = 0;
    const agent = newAgent(10);
    const started = performance.now();
    await inPool(events, 10, async (event) => {
      const body = Buffer.from(JSON.stringify(event));
      const headers = signedHeaders({ secret, id: event.id, timestamp: nowSeconds(), body });
      const sent = performance.now();
      const res = await post(
        `${url}/webhooks`,
        { ...headers, 'content-type': 'application/json' },
        body,
        agent,
      );
      latenciesMs.push(performance.now() - sent);
      if (stalledClosed === 0) answeredWhileAllStalledOpen++;
      answers.push(res.status);
    });
    const validSeconds = (performance.now() - started) / 1000;
    agent.destroy();

    const outcomes = await Promise.all(stalled.map((s) => s.outcome));
    const closedBySeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const rssAfter = rssKiB(pid);

    // Valid deliveries were answered while every stalled connection was still held open.
    expect(answeredWhileAllStalledOpen).toBeGreaterThan(0);
    // Every valid delivery was answered 200 and is stored: 0 lost.
    expect(answers.filter((s) => s !== 200)).toEqual([]);
    const stored = await eventually('every valid event stored', async () => {
      const all = await new ReadApi(url, apiToken).allEvents();
      return all.length >= events.length ? all : undefined;
    });
    expect(new Set(stored.map((e) => e.webhook_id))).toEqual(new Set(events.map((e) => e.id)));
    // Every stalled connection was answered 408 request_timeout by the receiver and closed.
    const byOutcome = new Map<string, number>();
    for (const o of outcomes)
      byOutcome.set(`${o.status} ${o.code}`, (byOutcome.get(`${o.status} ${o.code}`) ?? 0) + 1);
    expect(Object.fromEntries(byOutcome)).toEqual({ '408 request_timeout': sizes.slowClients });
    // Memory stays bounded: stalled sockets hold no more than their small buffers.
    expect(rssPeak - rssBefore).toBeLessThan(100 * 1024);
    expect(receiver.child.exitCode).toBeNull();

    latenciesMs.sort((a, b) => a - b);
    const pct = (p: number) =>
      latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))]!;
    // The figures for contracts/README.md.
    console.log(
      `[slow-clients] figures: ${JSON.stringify({
        stalledConnections: sizes.slowClients,
        stalledOpenWhenValidTrafficStarted: stalledOpenAtStart,
        validDeliveries: events.length,
        valid200: answers.filter((s) => s === 200).length,
        answeredWhileAllStalledOpen,
        validLatencyMs: {
          p50: Math.round(pct(0.5)),
          p99: Math.round(pct(0.99)),
          max: Math.round(latenciesMs.at(-1)!),
        },
        validSeconds: Number(validSeconds.toFixed(1)),
        stalledAllClosedAfterSeconds: Number(closedBySeconds.toFixed(1)),
        stalledOutcomes: Object.fromEntries(byOutcome),
        rssMiB: {
          before: Math.round(rssBefore / 1024),
          peak: Math.round(rssPeak / 1024),
          after: Math.round(rssAfter / 1024),
        },
        lost: events.length - stored.length,
      })}`,
    );
  });

  it(`answers every signed delivery 200 while ${sizes.slowClients} unsigned requests announce 256 KiB each and stall after one byte`, async () => {
    // The stalled requests stay open for the whole run: the body rate window and the timeouts are
    // long, so only the in-flight body accounting stands between them and the signed deliveries.
    // Announced, they are 300 × 256 KiB = 75 MiB, more than the default MAX_INFLIGHT_BODY_BYTES.
    const receiver = await startReceiverProcess({
      secret,
      apiToken,
      databaseUrl: `sqlite:${join(dir, 'announced.sqlite')}`,
      env: { BODY_RATE_WINDOW_SECONDS: '60', REQUEST_TIMEOUT_SECONDS: '300', HEADERS_TIMEOUT_SECONDS: '60' },
    });
    receivers.push(receiver);
    const { url, port } = receiver;
    const fakeSignature = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    const stalled: Stalled[] = [];
    for (let i = 0; i < sizes.slowClients; i++) {
      stalled.push(
        await stall(
          port,
          `POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
            `webhook-id: msg_announced_${i}\r\nwebhook-timestamp: ${nowSeconds()}\r\n` +
            `webhook-signature: ${fakeSignature}\r\ncontent-length: 262144\r\n\r\n{`,
        ),
      );
    }
    let stalledClosed = 0;
    for (const s of stalled) void s.outcome.then(() => stalledClosed++);

    const events = [...generateEvents({ seed: 'reliability-announced', count: sizes.slowValidEvents })];
    const statuses = new Map<number, number>();
    const latenciesMs: number[] = [];
    const agent = newAgent(10);
    await inPool(events, 10, async (event) => {
      const body = Buffer.from(JSON.stringify(event));
      const headers = signedHeaders({ secret, id: event.id, timestamp: nowSeconds(), body });
      const sent = performance.now();
      const res = await post(
        `${url}/webhooks`,
        { ...headers, 'content-type': 'application/json' },
        body,
        agent,
      );
      latenciesMs.push(performance.now() - sent);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    agent.destroy();
    const stalledOpenAtEnd = sizes.slowClients - stalledClosed;

    expect(Object.fromEntries(statuses)).toEqual({ 200: events.length });
    // Every stalled request was still open while the deliveries were answered.
    expect(stalledOpenAtEnd).toBe(sizes.slowClients);
    const stored = await eventually('every signed event stored', async () => {
      const all = await new ReadApi(url, apiToken).allEvents();
      return all.length >= events.length ? all : undefined;
    });
    expect(new Set(stored.map((e) => e.webhook_id))).toEqual(new Set(events.map((e) => e.id)));
    for (const s of stalled) s.socket.destroy();
    expect(receiver.child.exitCode).toBeNull();

    latenciesMs.sort((a, b) => a - b);
    const pct = (p: number) =>
      latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))]!;
    console.log(
      `[slow-clients] announced-body figures: ${JSON.stringify({
        stalledConnections: sizes.slowClients,
        announcedBytesEach: 262144,
        stalledOpenAtEnd,
        signedDeliveries: events.length,
        statuses: Object.fromEntries(statuses),
        latencyMs: {
          p50: Math.round(pct(0.5)),
          p99: Math.round(pct(0.99)),
          max: Math.round(latenciesMs.at(-1)!),
        },
      })}`,
    );
  });
});
