import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  eventually,
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  type StallingSink,
  senderCli,
  startProgram,
  startStallingSink,
} from '@webhook-contracts/test-kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type TestReceiver } from '../src/test-support/receivers.js';
import { SECRET } from '../src/test-support/recorder.js';

const TOKEN = 'serve-e2e-token-0123456789';

beforeAll(() => requireBuilt([senderCli]));

/** Waits until `probe` holds, failing after `ms` with `what`. */
function until(probe: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<true> {
  return eventually(what, async () => ((await probe()) ? true : undefined), ms);
}

interface Service {
  base: string;
  port: number;
  stdout: () => string;
  stderr: () => string;
}

const services: RunningProgram[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.kill();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(env: Record<string, string> = { SENDER_API_TOKEN: TOKEN }): Promise<Service> {
  const program = await startProgram([senderCli, 'serve', '--port', '0'], { cleanEnv: true, env });
  services.push(program);
  return {
    base: program.url,
    port: Number(new URL(program.url).port),
    stdout: program.stdout,
    stderr: program.stderr,
  };
}

const auth = { authorization: `Bearer ${TOKEN}` };

function post(url: string, body: unknown, headers: Record<string, string> = auth, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** A request with a Host header of our choosing (fetch will not set one). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...auth } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A receiver that never answers, closed after the test. */
async function stallingSink(): Promise<StallingSink> {
  const sink = await startStallingSink();
  cleanups.push(sink.close);
  return sink;
}

function runCli(args: string[], env: Record<string, string>) {
  return runBuiltSender(args, env, { cleanEnv: true });
}

// Each test starts a process; on the shared machine that can take seconds.
describe('mock-sender serve (built, over sockets)', { timeout: 30_000 }, () => {
  it('without SENDER_API_TOKEN generates a token, prints it once on stderr only, and requires it', async () => {
    const service = await serve({});
    const match = /this run's bearer token: ([A-Za-z0-9_-]{43})\n/.exec(service.stderr());
    expect(match).not.toBeNull();
    const token = match![1]!;
    expect(service.stderr().split(token)).toHaveLength(2);

    const without = await fetch(`${service.base}/deliveries`);
    expect(without.status).toBe(401);
    const withToken = await fetch(`${service.base}/deliveries`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).not.toContain(token);
    expect((await fetch(`${service.base}/healthz`)).status).toBe(200);
    expect(service.stdout()).toBe('');
    expect(service.stderr().split(token)).toHaveLength(2);
  });

  it('answers 401 to a missing or wrong token and accepts the scheme in lower case', async () => {
    const service = await serve();
    // The receiver's read API refuses the same way: missing_token, or invalid_token for another token.
    for (const [headers, code, challenge] of [
      [{}, 'missing_token', 'Bearer'],
      [{ authorization: 'Bearer wrong-token-0123456789' }, 'invalid_token', 'Bearer error="invalid_token"'],
      [{ authorization: TOKEN }, 'missing_token', 'Bearer'],
    ] as const) {
      const res = await fetch(`${service.base}/deliveries`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(challenge);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(/SENDER_API_TOKEN/);
    }
    const lower = await fetch(`${service.base}/deliveries`, {
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(lower.status).toBe(200);
    expect(await lower.json()).toEqual({ deliveries: [] });
  });

  it('answers 415 to a POST body that is not application/json', async () => {
    const service = await serve();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const res = await fetch(`${service.base}/send`, {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body: '{"to":"http://127.0.0.1:1/x"}',
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    }
    const noType = await fetch(`${service.base}/check`, {
      method: 'POST',
      headers: auth,
      body: new Uint8Array(),
    });
    expect(noType.status).toBe(415);
    // With a charset it gets past the media type check (and fails on the missing `to`).
    const charset = await fetch(`${service.base}/send`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'Application/JSON; charset=UTF-8' },
      body: '{}',
    });
    expect(charset.status).toBe(400);
    expect(await charset.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('refuses a Host that does not name the service with 421, unless SENDER_ALLOWED_HOSTS lists it', async () => {
    const service = await serve({ SENDER_API_TOKEN: TOKEN, SENDER_ALLOWED_HOSTS: 'sender.staging' });
    const rebound = await getWithHost(service.port, '/deliveries', `evil.example:${service.port}`);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    expect((await getWithHost(service.port, '/deliveries', `localhost:${service.port}`)).status).toBe(200);
    expect((await getWithHost(service.port, '/deliveries', 'sender.staging')).status).toBe(200);
    expect((await getWithHost(service.port, '/deliveries', `localhost:${service.port + 1}`)).status).toBe(
      421,
    );
  });

  it('answers 403 target_not_allowed outside SENDER_ALLOWED_TARGETS and signs with its own secret inside', async () => {
    const receiver: TestReceiver = await startReceiver(SECRET, 'compliant');
    cleanups.push(() => receiver.close());
    const origin = new URL(receiver.url).origin;
    const service = await serve({
      SENDER_API_TOKEN: TOKEN,
      SENDER_ALLOWED_TARGETS: `${receiver.url}`,
      WEBHOOK_SECRET: SECRET,
    });
    for (const [route, to] of [
      ['/send', `${origin}/elsewhere`],
      ['/check', `${origin}/elsewhere`],
      ['/send', `http://localhost:${new URL(receiver.url).port}${new URL(receiver.url).pathname}`],
    ] as const) {
      const res = await post(`${service.base}${route}`, { to, secret: SECRET });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'target_not_allowed' } });
    }
    const allowed = await post(`${service.base}/send`, { to: receiver.url, generate: 2, seed: 3 });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ delivered: 2 });
    expect(receiver.accepted).toHaveLength(2);
  });

  it('without SENDER_ALLOWED_TARGETS uses a request secret for any target but never its own', async () => {
    const receiver: TestReceiver = await startReceiver(SECRET, 'compliant');
    cleanups.push(() => receiver.close());
    const service = await serve({ SENDER_API_TOKEN: TOKEN, WEBHOOK_SECRET: SECRET });
    expect(service.stderr()).toMatch(/SENDER_ALLOWED_TARGETS is not set/);
    const own = await post(`${service.base}/send`, { to: receiver.url, generate: 1 });
    expect(own.status).toBe(403);
    expect(await own.json()).toMatchObject({
      error: { code: 'target_not_allowed', message: expect.stringMatching(/send your own `secret`/) },
    });
    expect(receiver.accepted).toHaveLength(0);
    const given = await post(`${service.base}/send`, { to: receiver.url, generate: 1, secret: SECRET });
    expect(await given.json()).toMatchObject({ delivered: 1 });
  });

  it('answers 400 invalid_request naming the field for every option past its bound', async () => {
    const service = await serve();
    const to = 'http://127.0.0.1:1/x';
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['/send', 'concurrency', { concurrency: 100_000_000 }],
      ['/send', 'generate', { generate: 100_001 }],
      ['/send', 'duplicates', { generate: 50_000, duplicates: 3 }],
      ['/send', 'shuffle', { generate: 10, shuffle: 10_001 }],
      ['/send', 'retrySchedule', { retrySchedule: Array.from({ length: 11 }, () => 1) }],
      ['/send', 'retrySchedule', { retrySchedule: [1, 7200] }],
      ['/send', 'timeoutMs', { timeoutMs: 1e9 }],
      ['/send', 'rate', { rate: 1e9 }],
      ['/send', 'maxRetryAfterSeconds', { maxRetryAfterSeconds: 1e9 }],
      ['/check', 'timeoutMs', { timeoutMs: 1e9 }],
    ];
    for (const [route, field, options] of cases) {
      const res = await post(`${service.base}${route}`, { to, secret: SECRET, ...options });
      expect(res.status, `${route} ${field}`).toBe(400);
      const body = (await res.json()) as {
        error: { code: string; message: string; details: Array<{ field: string }> };
      };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details.map((d) => d.field)).toEqual([field]);
      expect(body.error.message).toContain(field);
    }
  });

  it('answers 429 with Retry-After past SENDER_MAX_RUNS, and a run stops when its client disconnects', async () => {
    const sink = await stallingSink();
    const service = await serve({ SENDER_API_TOKEN: TOKEN, SENDER_MAX_RUNS: '1' });
    const client = new AbortController();
    const run = post(
      `${service.base}/send`,
      {
        to: sink.url,
        secret: SECRET,
        generate: 50,
        concurrency: 3,
        timeoutMs: 60_000,
        retrySchedule: [0.05, 0.05],
      },
      auth,
      client.signal,
    ).catch((error: unknown) => error);
    await until(() => sink.received() === 3, 'the first three deliveries to reach the sink');

    const busy = await post(`${service.base}/check`, { to: sink.url, secret: SECRET });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(await busy.json()).toMatchObject({ error: { code: 'too_many_runs' } });

    client.abort();
    expect(await run).toBeInstanceOf(Error);
    // The in-flight sends are cut off (the sink never answers and the timeout is 60 s)...
    await until(() => sink.open() === 0, 'the sender to close its connections to the sink');
    // ...and the run ends: its slot is free again (a bad body now gets 400, not 429)...
    await until(async () => {
      const probe = await post(`${service.base}/send`, { to: sink.url, generate: 0 });
      return probe.status === 400;
    }, 'the run slot to be released');
    // ...without having sent anything more: no retry and no further event reached the sink.
    expect(sink.received()).toBe(3);
  });

  it('stops a check when its client disconnects', async () => {
    const sink = await stallingSink();
    const service = await serve({ SENDER_API_TOKEN: TOKEN, SENDER_MAX_RUNS: '1' });
    const client = new AbortController();
    const run = post(
      `${service.base}/check`,
      { to: sink.url, secret: SECRET, timeoutMs: 60_000 },
      auth,
      client.signal,
    ).catch((error: unknown) => error);
    await until(() => sink.received() === 1, 'the first check case to reach the sink');
    client.abort();
    expect(await run).toBeInstanceOf(Error);
    await until(() => sink.open() === 0, 'the sender to close its connection to the sink');
    await until(async () => {
      const probe = await post(`${service.base}/check`, { to: sink.url, timeoutMs: 0 });
      return probe.status === 400;
    }, 'the run slot to be released');
    expect(sink.received()).toBe(1);
  });

  it('does not follow a redirect from an allowed target to another one', async () => {
    const elsewhere = await stallingSink();
    let redirected = 0;
    const redirecting = createServer((req, res) => {
      redirected++;
      req.resume();
      res.writeHead(307, { location: elsewhere.url }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => redirecting.close(() => resolve())));
    const target = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/webhooks`;
    const service = await serve({
      SENDER_API_TOKEN: TOKEN,
      SENDER_ALLOWED_TARGETS: target,
      WEBHOOK_SECRET: SECRET,
    });
    const res = await post(`${service.base}/send`, { to: target, generate: 1, retrySchedule: [] });
    expect(await res.json()).toMatchObject({ delivered: 0, failed: 1, byStatus: { '307': 1 } });
    expect(redirected).toBe(1);
    expect(elsewhere.received()).toBe(0);
  });

  it('refuses __proto__, prototype and constructor in set paths: 400 over HTTP, exit 2 on the CLI', async () => {
    const service = await serve();
    for (const path of ['__proto__.polluted', 'data.constructor.prototype.polluted']) {
      const res = await post(`${service.base}/send`, {
        to: 'http://127.0.0.1:1/x',
        secret: SECRET,
        generate: 1,
        set: { [path]: 'yes' },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: 'invalid_override', message: expect.stringMatching(/not allowed as path segments/) },
      });
    }
    const cliRun = await runCli(['send', '--to', 'http://127.0.0.1:1/x', '--set', '__proto__.polluted=1'], {
      WEBHOOK_SECRET: SECRET,
    });
    expect(cliRun.code).toBe(2);
    expect(cliRun.stderr).toMatch(/override path "__proto__.polluted" contains "__proto__"/);
  });

  it('lists its settings in serve --help and exits 2 with every bad one named', async () => {
    const help = await runCli(['serve', '--help'], {});
    expect(help.code).toBe(0);
    for (const name of [
      'SENDER_API_TOKEN',
      'SENDER_ALLOWED_HOSTS',
      'SENDER_ALLOWED_TARGETS',
      'SENDER_ALLOWED_SOURCES',
      'SENDER_MAX_RUNS',
      'SENDER_MAX_RUN_SECONDS',
      '--max-run-seconds <seconds>',
      'RECEIVER_API_TOKEN',
    ]) {
      expect(help.stdout).toContain(name);
    }
    const bad = await runCli(['serve', '--port', '0'], {
      SENDER_API_TOKEN: 'short',
      SENDER_ALLOWED_TARGETS: 'http://a.com,nope',
      SENDER_MAX_RUNS: '1000',
      SENDER_MAX_RUN_SECONDS: '0',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/SENDER_API_TOKEN must be 16-512/);
    expect(bad.stderr).toMatch(/SENDER_ALLOWED_TARGETS: "nope" is not a URL/);
    expect(bad.stderr).toMatch(/SENDER_MAX_RUNS must be an integer from 1 to 64/);
    expect(bad.stderr).toMatch(/SENDER_MAX_RUN_SECONDS must be an integer from 1 to 86400, got "0"/);
    const badFlag = await runCli(['serve', '--port', '0', '--max-run-seconds', '90000'], {
      SENDER_API_TOKEN: TOKEN,
    });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--max-run-seconds must be an integer from 1 to 86400, got "90000"/);
  });
});
