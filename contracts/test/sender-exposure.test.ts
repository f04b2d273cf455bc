// The BUILT `mock-sender serve` facing the holes an attacker review found, over real sockets: the
// production read token (RECEIVER_API_TOKEN) reaching a URL that is only an allowed target,
// credentials in a target URL echoed in summaries and the delivery log, a malformed run id
// answered 500, and send runs without a time limit. Each setting involved is given a non-default
// value through the environment (or its flag), so a setting that is read but not wired fails here.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  type StallingSink,
  senderCli,
  startBuiltSenderServe,
  startStallingSink,
} from '@webhook-contracts/test-kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { whsecSecret } from './support/referenceWebhook.js';

const TOKEN = 'sender-exposure-token-0123456789';
const READ_TOKEN = 'production-read-token-do-not-leak';
const PASSWORD = 'hunter2-in-the-url';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const running: RunningProgram[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.stop();
  for (const close of closers.splice(0)) await close();
});

beforeAll(() => requireBuilt([senderCli]));

async function serve(env: Record<string, string>, args: readonly string[] = []): Promise<RunningProgram> {
  const service = await startBuiltSenderServe(
    {
      SENDER_API_TOKEN: TOKEN,
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: READ_TOKEN,
      SENDER_ALLOWED_SOURCES: '',
      SENDER_MAX_RUN_SECONDS: '',
      ...env,
    },
    args,
  );
  running.push(service);
  return service;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A local HTTP server that records every request (and its Authorization header). As a replay
 * source it answers one export line; as a target it answers 200.
 */
async function recorder(): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const line = `${JSON.stringify({
    webhook_id: 'msg_exposure_1',
    type: 'payment.succeeded',
    status: 'processed',
    received_at: '2026-12-01T10:00:00Z',
    body_base64: Buffer.from('{"id":"evt_1"}').toString('base64'),
  })}\n`;
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    if (req.method === 'GET') res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(line);
    else res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A target that takes connections and never answers, closed after the test. */
async function stallingTarget(): Promise<StallingSink> {
  const target = await startStallingSink();
  closers.push(target.close);
  return target;
}

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

const getText = async (base: string, path: string) =>
  (await fetch(`${base}${path}`, { headers: { authorization: auth.authorization } })).text();

/** Polls a background run until it leaves `running` (deadline 20 s). */
async function settled(base: string, id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { run } = JSON.parse(await getText(base, `/runs/${id}`)) as { run: Record<string, unknown> };
    if (run['status'] !== 'running') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mock-sender serve (built): the read token', () => {
  it('reaches a source under SENDER_ALLOWED_SOURCES and not a URL that is only an allowed target', async () => {
    const trusted = await recorder();
    const targetOnly = await recorder();
    const sink = await recorder();
    const service = await serve({
      SENDER_ALLOWED_SOURCES: trusted.base,
      SENDER_ALLOWED_TARGETS: `${targetOnly.base},${sink.base}/webhooks`,
    });
    const to = `${sink.base}/webhooks`;

    const fromTrusted = await post(service.url, '/replay', { from: trusted.base, to, retrySchedule: [] });
    const trustedAnswer = await fromTrusted.text();
    expect(fromTrusted.status).toBe(200);
    expect(JSON.parse(trustedAnswer)).toMatchObject({ sent: 1, delivered: 1 });
    expect(trusted.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${READ_TOKEN}`]);

    const fromTarget = await post(service.url, '/replay', {
      from: targetOnly.base,
      to,
      retrySchedule: [],
      wait: false,
    });
    expect(fromTarget.status).toBe(202);
    const { run } = (await fromTarget.json()) as { run: { id: string } };
    const finished = await settled(service.url, run.id);
    expect(finished).toMatchObject({ status: 'succeeded', result: { sent: 1, delivered: 1 } });
    expect(targetOnly.seen).toHaveLength(1);
    expect(targetOnly.seen[0]?.headers.authorization).toBeUndefined();

    // The deliveries went to the sink, signed, without the token; nothing shows it anywhere.
    expect(sink.seen).toHaveLength(2);
    for (const request of sink.seen) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['webhook-signature']).toMatch(/^v1,/);
    }
    const everything = [
      trustedAnswer,
      JSON.stringify(finished),
      await getText(service.url, '/deliveries'),
      await getText(service.url, `/runs/${run.id}`),
      service.output(),
    ].join('\n');
    expect(everything).not.toContain(READ_TOKEN);
  });
});

describe('mock-sender serve (built): credentials in a target URL', () => {
  it('answers 400 to a `to` with user:password@ on every route, and nothing repeats them', async () => {
    const sink = await recorder();
    const service = await serve({
      SENDER_ALLOWED_TARGETS: `${sink.base}/webhooks`,
      SENDER_ALLOWED_SOURCES: sink.base,
    });
    const to = `http://user:${PASSWORD}@${sink.base.slice('http://'.length)}/webhooks`;
    const answers: string[] = [];
    for (const [path, body] of [
      ['/send', { to, generate: 1, retrySchedule: [] }],
      ['/check', { to }],
      ['/replay', { from: sink.base, to, retrySchedule: [] }],
      ['/send', { to, generate: 1, retrySchedule: [], wait: false }],
    ] as const) {
      const res = await post(service.url, path, body);
      const text = await res.text();
      answers.push(text);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(text)).toEqual({
        error: {
          code: 'invalid_request',
          message: expect.stringMatching(/to must not carry credentials \(user:password@\): remove them/),
          details: [{ field: 'to', message: expect.stringMatching(/^must not carry credentials/) }],
        },
      });
    }
    expect(sink.seen).toHaveLength(0);
    const deliveries = await getText(service.url, '/deliveries');
    expect(deliveries).toBe('{"deliveries":[]}');
    expect([...answers, deliveries, service.output()].join('\n')).not.toContain(PASSWORD);
  });

  it('makes the CLI exit 2 for a --to or --from with credentials, without printing them', async () => {
    const sink = await recorder();
    const withCredentials = `http://user:${PASSWORD}@${sink.base.slice('http://'.length)}`;
    for (const args of [
      ['send', '--to', `${withCredentials}/webhooks`, '--generate', '1', '--no-progress'],
      ['check', '--to', `${withCredentials}/webhooks`],
      ['replay', '--from', sink.base, '--to', `${withCredentials}/webhooks`, '--no-progress'],
      ['replay', '--from', withCredentials, '--to', `${sink.base}/webhooks`, '--no-progress'],
    ]) {
      const run = await runBuiltSender(args, { WEBHOOK_SECRET: whsecSecret });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/must not carry credentials \(user:password@ in the URL\)/);
      expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
    }
    expect(sink.seen).toHaveLength(0);
  });
});

describe('mock-sender serve (built): run ids', () => {
  it('answers 400 invalid_run_id to a malformed id and 404 to an unknown one, never 500', async () => {
    const service = await serve({});
    for (const id of ['%ZZ', '%C3%28', 'run_%00', 'x'.repeat(4000)]) {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`${service.url}/runs/${id}`, { method, headers: auth });
        expect(res.status, `${method} /runs/${id.slice(0, 12)}`).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: 'invalid_run_id' } });
      }
    }
    const unknown = await fetch(`${service.url}/runs/run_AAAAAAAAAAAAAAAA`, { headers: auth });
    expect(unknown.status).toBe(404);
  });
});

describe('mock-sender serve (built): SENDER_MAX_RUN_SECONDS', () => {
  it('refuses up front a send whose schedule cannot finish within the setting, naming it', async () => {
    const target = await stallingTarget();
    // 3 deliveries at 0.1/s take 20 s to start, plus 1 s of retry: 21 s. The default (3600 s)
    // would take it: only a wired SENDER_MAX_RUN_SECONDS=20 refuses it.
    const request = { to: target.url, secret: whsecSecret, generate: 3, rate: 0.1, retrySchedule: [1] };
    for (const service of [
      await serve({ SENDER_MAX_RUN_SECONDS: '20' }),
      await serve({}, ['--max-run-seconds', '20']),
    ]) {
      const res = await post(service.url, '/send', request);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'run_too_long',
          message: expect.stringMatching(
            /^this run's schedule takes at least 21 s, more than SENDER_MAX_RUN_SECONDS \(20 s\): /,
          ),
          details: [
            { field: 'rate', message: '3 deliveries at 0.1 a second take 20 s to start' },
            { field: 'retrySchedule', message: 'the retry waits add up to 1 s' },
          ],
        },
      });
    }
    expect(target.received()).toBe(0);
  });

  it('stops a run that overruns at SENDER_MAX_RUN_SECONDS and reports it', async () => {
    // What the built program adds is the wiring: SENDER_MAX_RUN_SECONDS from the environment
    // reaches the server. What the limit does to a run (its summary's counts, a background run
    // timed out) is asserted in process, in createSenderServer.test.ts.
    const target = await stallingTarget();
    const service = await serve({ SENDER_MAX_RUN_SECONDS: '2' });
    // Its schedule fits (no rate, no retries); the target never answering is what overruns it.
    const request = {
      to: target.url,
      secret: whsecSecret,
      generate: 5,
      concurrency: 1,
      timeoutMs: 60_000,
      retrySchedule: [],
    };
    const started = Date.now();
    const res = await post(service.url, '/send', request);
    const tookMs = Date.now() - started;
    expect(res.status).toBe(200);
    const { stopped } = (await res.json()) as { stopped?: unknown };
    expect(stopped).toEqual({
      code: 'run_time_limit',
      message: expect.stringMatching(/^stopped at SENDER_MAX_RUN_SECONDS \(2 s\)/),
    });
    // At the limit (2 s), not at the 60 s attempt timeout; a generous margin for a busy machine.
    expect(tookMs).toBeGreaterThanOrEqual(1_900);
    expect(tookMs).toBeLessThan(12_000);
    // The attempt in flight was cut off with the run.
    const deadline = Date.now() + 10_000;
    while (target.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(target.open()).toBe(0);
    expect(target.received()).toBe(1);
  });
});
