import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { eventually, startStallingSink } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCaseNames } from '../check/checkCases.js';
import { startReceiver, type TestReceiver } from '../test-support/receivers.js';
import { SECRET } from '../test-support/recorder.js';
import { createSenderServer, type SenderServerOptions } from './createSenderServer.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

let server: Server | undefined;
let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
  server = undefined;
});

const TOKEN = 't0ken-for-the-unit-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

async function start(options: Partial<SenderServerOptions> = {}): Promise<string> {
  server = createSenderServer({ token: TOKEN, env: { WEBHOOK_SECRET: SECRET }, ...options });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Allows the test receiver, so the service's own WEBHOOK_SECRET may sign for it. */
const allowing = (url: string): Partial<SenderServerOptions> => ({
  allowedTargets: [parseTargetPrefix(url) as TargetPrefix],
});

const post = (url: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('createSenderServer', () => {
  it('answers /healthz without a token', async () => {
    const base = await start();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('rejects requests without the bearer token with 401 and the error shape', async () => {
    const base = await start();
    const res = await post(`${base}/send`, { to: 'http://x' }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: { code: 'missing_token' } });
    const wrong = await fetch(`${base}/deliveries`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const { error } = (await wrong.json()) as { error: { code: string; message: string } };
    expect([error.code, error.message]).toEqual([
      'invalid_token',
      'The bearer token is not the SENDER_API_TOKEN this service runs with',
    ]);
  });

  it('runs a send and returns its summary, then lists the deliveries with their attempts', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const base = await start(allowing(receiver.url));
    const res = await post(`${base}/send`, { to: receiver.url, generate: 4, seed: 1, retrySchedule: [0.01] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sent: 4,
      delivered: 4,
      failed: 0,
      seed: '1',
      byStatus: { '200': 4 },
    });
    expect(receiver.accepted).toHaveLength(4);

    const list = (await (await fetch(`${base}/deliveries?limit=2`, { headers: auth })).json()) as {
      deliveries: Array<{
        id: string;
        delivered: boolean;
        attempts: Array<{ status: number; latencyMs: number; at: string }>;
      }>;
    };
    expect(list.deliveries).toHaveLength(2);
    for (const d of list.deliveries) {
      expect(receiver.accepted).toContain(d.id);
      expect(d.delivered).toBe(true);
      expect(d.attempts[0]).toMatchObject({ status: 200 });
      expect(Date.parse(d.attempts[0]!.at)).not.toBeNaN();
    }
  });

  it('applies a set object of dotted paths', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const base = await start(allowing(receiver.url));
    const res = await post(`${base}/send`, {
      to: receiver.url,
      generate: 1,
      set: { 'data.extra.flag': true, 'data.user.id': 'user_from_set' },
    });
    expect(await res.json()).toMatchObject({ delivered: 1 });
    // The overrides reached the receiver, in the signed body it accepted.
    expect(receiver.payloads).toHaveLength(1);
    expect(receiver.payloads[0]).toMatchObject({
      type: 'course_lesson_interaction.completed',
      data: { extra: { flag: true }, user: { id: 'user_from_set' } },
    });
  });

  it('runs a conformance check', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const base = await start(allowing(receiver.url));
    const res = await post(`${base}/check`, { to: receiver.url });
    const report = (await res.json()) as { passed: boolean; results: unknown[] };
    expect(res.status).toBe(200);
    expect(report.passed).toBe(true);
    expect(report.results).toHaveLength(checkCaseNames.length);
  });

  it('answers 400 with every invalid field listed', async () => {
    const base = await start();
    const res = await post(`${base}/send`, { generate: 'ten', retrySchedule: 'fast', colour: 'blue' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: Array<{ field: string }> } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((d) => d.field).sort()).toEqual([
      'colour',
      'generate',
      'retrySchedule',
      'to',
    ]);
  });

  it('answers 400 for options that parse but cannot work', async () => {
    const base = await start();
    const res = await post(`${base}/send`, { to: 'ftp://127.0.0.1:1/x', secret: SECRET });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_option' } });
    const badJson = await fetch(`${base}/send`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers 400 when no secret is configured or given', async () => {
    const base = await start({ env: {} });
    const res = await post(`${base}/send`, { to: 'http://127.0.0.1:1/x', generate: 1 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'missing_secret', message: expect.stringContaining('WEBHOOK_SECRET is not set') },
    });
  });

  it('refuses a set path through __proto__ and leaves Object.prototype unpolluted', async () => {
    const base = await start();
    for (const set of [{ '__proto__.polluted': 'yes' }, JSON.parse('{"__proto__":{"polluted":"yes"}}')]) {
      const res = await post(`${base}/send`, {
        to: 'http://127.0.0.1:1/x',
        secret: SECRET,
        generate: 1,
        set,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_override' } });
    }
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a token outside 16-512 visible ASCII characters with invalid_option, without quoting it', () => {
    for (const token of ['', 'short-token', 'with a space inside it']) {
      expect(() => createSenderServer({ token }), token).toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          message:
            'the serve token must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
        }),
      );
    }
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    const base = await start();
    expect((await fetch(`${base}/nope`, { headers: auth })).status).toBe(404);
    const wrongMethod = await fetch(`${base}/send`, { headers: auth });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });
});

describe('createSenderServer: runs in the background', () => {
  const poll = async (base: string, id: string, until: (run: { status: string }) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(`${base}/runs/${id}`, { headers: auth });
      expect(res.status).toBe(200);
      const { run } = (await res.json()) as {
        run: { status: string; progress: { done: number } } & Record<string, unknown>;
      };
      if (until(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('answers 202 with a run id at once for "wait": false, and GET /runs/:id reports progress and the outcome', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const base = await start(allowing(receiver.url));
    const res = await post(`${base}/send`, { to: receiver.url, generate: 6, seed: 3, wait: false });
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string; kind: string; status: string } };
    expect(run).toMatchObject({ kind: 'send', status: 'running' });
    expect(res.headers.get('location')).toBe(`/runs/${run.id}`);
    const done = await poll(base, run.id, (r) => r.status !== 'running');
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: { done: 6, delivered: 6, failed: 0 },
      result: { sent: 6, delivered: 6, seed: '3' },
    });
    expect(receiver.accepted).toHaveLength(6);
  });

  it('runs a check in the background and reports a failing receiver as failed', async () => {
    receiver = await startReceiver(SECRET, 'rejects-duplicates');
    const base = await start(allowing(receiver.url));
    const res = await post(`${base}/check`, { to: receiver.url, wait: false });
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string } };
    const done = await poll(base, run.id, (r) => r.status !== 'running');
    expect(done).toMatchObject({ kind: 'check', status: 'failed', result: { passed: false } });
  });

  it('cancels a background run with DELETE /runs/:id', async () => {
    const base = await start();
    // A target that accepts connections and never answers keeps the run going until it is cancelled.
    const sink = await startStallingSink();
    try {
      const res = await post(`${base}/send`, {
        to: sink.url,
        secret: SECRET,
        generate: 3,
        wait: false,
        timeoutMs: 60_000,
      });
      const { run } = (await res.json()) as { run: { id: string } };
      const cancel = await fetch(`${base}/runs/${run.id}`, { method: 'DELETE', headers: auth });
      expect(cancel.status).toBe(202);
      expect(await poll(base, run.id, (r) => r.status !== 'running')).toMatchObject({ status: 'cancelled' });
    } finally {
      await sink.close();
    }
  });

  it('answers 404 run_not_found for an unknown run', async () => {
    const base = await start();
    const res = await fetch(`${base}/runs/run_nope`, { headers: auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'run_not_found' } });
  });

  it('names options by their JSON fields in errors, not by CLI flags', async () => {
    const base = await start();
    const noScheme = await post(`${base}/send`, { to: 'localhost:3100/webhooks', secret: SECRET });
    expect(noScheme.status).toBe(400);
    const body = (await noScheme.json()) as { error: { message: string } };
    expect(body.error.message).toBe(
      'to "localhost:3100/webhooks" has no scheme: did you mean http://localhost:3100/webhooks?',
    );
    const both = await post(`${base}/send`, {
      to: 'http://127.0.0.1:1/x',
      secret: SECRET,
      example: 'docs-page',
      allExamples: true,
    });
    expect(((await both.json()) as { error: { message: string } }).error.message).toBe(
      'choose example or allExamples, not both',
    );
    const check = await post(`${base}/check`, { to: '127.0.0.1:1/x', secret: SECRET });
    expect(((await check.json()) as { error: { message: string } }).error.message).toMatch(
      /^to "127\.0\.0\.1:1\/x" has no scheme/,
    );
  });
});

describe('the routes the inspector page reads', () => {
  it('lists the examples (GET /examples) behind the token', async () => {
    const base = await start();
    expect((await fetch(`${base}/examples`)).status).toBe(401);
    const res = await fetch(`${base}/examples`, { headers: auth });
    expect(res.status).toBe(200);
    const { examples, event_types } = (await res.json()) as {
      examples: { name: string; event: string; kind: string; description: string }[];
      event_types: string[];
    };
    expect(event_types).toContain('course_lesson_interaction.completed');
    expect(event_types).toContain('payment.succeeded');
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.map((e) => e.name)).toContain('docs-page');
    for (const e of examples) expect(['valid', 'invalid', 'unknown']).toContain(e.kind);
  });

  it('names the allowed targets (GET /targets), null when any target is allowed', async () => {
    const open = await start();
    expect(await (await fetch(`${open}/targets`, { headers: auth })).json()).toEqual({
      allowed_targets: null,
    });
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const pinned = await start(allowing('http://127.0.0.1:3000/webhooks'));
    expect((await fetch(`${pinned}/targets`)).status).toBe(401);
    expect(await (await fetch(`${pinned}/targets`, { headers: auth })).json()).toEqual({
      allowed_targets: ['http://127.0.0.1:3000/webhooks'],
    });
  });
});

/** A raw HTTP/1.1 exchange: whatever the server answers, as text, once it closes the connection. */
function rawExchange(base: string, request: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

describe('createSenderServer: what answers carry', () => {
  it('marks every JSON answer no-store and nosniff, errors included', async () => {
    const base = await start();
    for (const res of [
      await fetch(`${base}/deliveries`, { headers: auth }),
      await fetch(`${base}/deliveries`),
      await fetch(`${base}/nope`, { headers: auth }),
      await fetch(`${base}/runs/%ZZ`, { headers: auth }),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('does not repeat a Host it refuses, nor more than 100 characters of an unknown path', async () => {
    const base = await start();
    const answer = await rawExchange(
      base,
      `GET /deliveries HTTP/1.1\r\nHost: ${'evil'.repeat(1000)}.example\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.startsWith('HTTP/1.1 421 ')).toBe(true);
    expect(answer).toContain('"code":"host_not_allowed"');
    expect(answer).not.toContain('evil');
    const res = await fetch(`${base}/${'p'.repeat(8000)}`, { headers: auth });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toMatch(new RegExp(`^no route GET /${'p'.repeat(99)}…: the routes are `));
  });

  it('answers 400 invalid_run_id, never 500, to a malformed id on GET and DELETE /runs/:id', async () => {
    const base = await start();
    for (const id of ['%ZZ', '%C3%28', '%FF', 'run_%00', 'x'.repeat(5000), 'a%2Fb']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`${base}/runs/${id}`, { method, headers: auth });
        expect(res.status, `${method} ${id.slice(0, 10)}`).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: 'invalid_run_id' } });
      }
    }
    const unknown = await fetch(`${base}/runs/run_AAAAAAAAAAAAAAAA`, { method: 'DELETE', headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'run_not_found' } });
  });

  it('answers 400 to a request target that is not a path', async () => {
    const base = await start();
    const answer = await rawExchange(
      base,
      `GET http://[/runs HTTP/1.1\r\nHost: ${new URL(base).host}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(answer).toContain('"code":"invalid_request"');
  });

  it('answers 400 to a body nested past 64 levels instead of overflowing the stack', async () => {
    const base = await start();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await fetch(`${base}/send`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: `{"to":"http://127.0.0.1:1/x","secret":"${SECRET}","generate":1,"set":{"data.x":${deep}}}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'invalid_json', message: expect.stringMatching(/deeper than 64 levels/) },
    });
  });

  it('answers 500 with a fixed message and logs the cause on one line, not in the answer', async () => {
    const lines: string[] = [];
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: () => {
        throw new Error('the secret store at /srv/secrets is down\nforged line');
      },
    });
    const base = await start({ env, log: (line) => lines.push(line) });
    const res = await post(`${base}/send`, { to: 'http://127.0.0.1:1/x', generate: 1 });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: 'internal_error', message: 'the service failed and logged why: tell its operator' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^internal error on POST \/send: Error: the secret store at \/srv\/secrets is down/,
    );
  });

  it('sends the warnings of a run to its log', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const lines: string[] = [];
    const base = await start({ ...allowing(receiver.url), log: (line) => lines.push(line) });
    const res = await post(`${base}/send`, {
      to: receiver.url,
      generate: 1,
      set: { 'data.user': 7 },
      retrySchedule: [],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sent: 1, delivered: 0 });
    expect(lines).toEqual([
      expect.stringMatching(/^warning: event msg_\w+ does not match the contract after --set/),
    ]);
  });
});

describe('createSenderServer: SENDER_MAX_RUN_SECONDS', () => {
  it('refuses a send whose schedule cannot fit, before sending anything', async () => {
    const sink = await startStallingSink();
    try {
      const base = await start({
        maxRunSeconds: 30,
        allowedSources: [{ origin: new URL(sink.url).origin, path: '/' }],
      });
      const slow = await post(`${base}/send`, {
        to: sink.url,
        secret: SECRET,
        generate: 4,
        rate: 0.1,
        retrySchedule: [1],
      });
      expect(slow.status).toBe(400);
      expect(await slow.json()).toEqual({
        error: {
          code: 'run_too_long',
          message: expect.stringMatching(
            /^this run's schedule takes at least 31 s, more than SENDER_MAX_RUN_SECONDS \(30 s\)/,
          ),
          details: [
            { field: 'rate', message: '4 deliveries at 0.1 a second take 30 s to start' },
            { field: 'retrySchedule', message: 'the retry waits add up to 1 s' },
          ],
        },
      });
      // The default retry schedule (10 + 20 + 40 s) alone does not fit in 30 s either.
      const retries = await post(`${base}/send`, { to: sink.url, secret: SECRET, generate: 1 });
      expect(retries.status).toBe(400);
      expect(await retries.json()).toMatchObject({
        error: {
          code: 'run_too_long',
          details: [{ field: 'retrySchedule', message: 'the retry waits add up to 70 s' }],
        },
      });
      const replayRetries = await post(`${base}/replay`, {
        from: sink.url,
        to: sink.url,
        secret: SECRET,
        retrySchedule: [20, 20],
      });
      expect(replayRetries.status).toBe(400);
      expect(await replayRetries.json()).toMatchObject({
        error: {
          code: 'run_too_long',
          details: [{ field: 'retrySchedule', message: 'the retry waits add up to 40 s' }],
        },
      });
      expect(sink.received()).toBe(0);
    } finally {
      await sink.close();
    }
  });

  it('stops a run that overruns, answering its summary marked stopped, and a background one as timed_out', async () => {
    const sink = await startStallingSink();
    try {
      const base = await start({ maxRunSeconds: 1 });
      const started = Date.now();
      const res = await post(`${base}/send`, {
        to: sink.url,
        secret: SECRET,
        generate: 3,
        concurrency: 1,
        timeoutMs: 60_000,
        retrySchedule: [],
      });
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        sent: 1,
        delivered: 0,
        notSent: 2,
        stopped: {
          code: 'run_time_limit',
          message: expect.stringMatching(/^stopped at SENDER_MAX_RUN_SECONDS \(1 s\)/),
        },
      });
      // Stopped at the limit, not at the 60 s attempt timeout (a generous margin for a busy machine).
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(10_000);
      // The attempt in flight was cut off with the run: the sender closed its connection.
      await eventually(
        'the sender to close its connection to the sink',
        () => (sink.open() === 0 ? true : undefined),
        10_000,
      );

      const background = await post(`${base}/send`, {
        to: sink.url,
        secret: SECRET,
        generate: 3,
        concurrency: 1,
        timeoutMs: 60_000,
        retrySchedule: [],
        wait: false,
      });
      const { run } = (await background.json()) as { run: { id: string; started_at: string } };
      const deadline = Date.now() + 10_000;
      let view: { status: string; finished_at?: string; result?: { stopped?: { code: string } } } | undefined;
      while (Date.now() < deadline) {
        view = (
          (await (await fetch(`${base}/runs/${run.id}`, { headers: auth })).json()) as { run: typeof view }
        ).run;
        if (view?.status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(view).toMatchObject({
        status: 'timed_out',
        result: { sent: 1, notSent: 2, stopped: { code: 'run_time_limit' } },
      });
      const ranMs = Date.parse(String(view?.finished_at)) - Date.parse(run.started_at);
      expect(ranMs).toBeGreaterThanOrEqual(900);
      expect(ranMs).toBeLessThan(10_000);
      // One attempt from each run reached the sink; the rest were never sent.
      expect(sink.received()).toBe(2);
    } finally {
      await sink.close();
    }
  });
});
