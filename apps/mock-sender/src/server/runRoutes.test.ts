import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, sendError, sendHttpError } from '@webhook-contracts/http-kit';
import { startStallingSink } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { SenderConfigError } from '../errors.js';
import { SECRET } from '../test-support/recorder.js';
import { DeliveryLog } from './DeliveryLog.js';
import { RunPolicy } from './RunPolicy.js';
import { runRoutes } from './runRoutes.js';
import { senderRouter } from './senderRouter.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A target that accepts connections and never answers: a run to it runs until stopped. */
async function stallingTarget(): Promise<string> {
  const sink = await startStallingSink();
  closers.push(sink.close);
  return sink.url;
}

/** The run routes alone behind the router, with `maxRuns` slots. */
async function serve(maxRuns: number): Promise<string> {
  const routes = runRoutes({
    policy: new RunPolicy({ env: { WEBHOOK_SECRET: SECRET } }),
    deliveries: new DeliveryLog(10),
    maxRunSeconds: 60,
    log: () => {},
    maxRuns,
  });
  const server: Server = createServer(
    senderRouter({
      openRoutes: {},
      middleware: [],
      routes,
      onError: (error, _req, res) => {
        if (error instanceof HttpError) sendHttpError(res, error);
        else if (error instanceof SenderConfigError) sendError(res, 400, error.code, error.message);
        else sendError(res, 500, 'internal_error', String(error));
      },
      answerWriteMs: 30_000,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (url: string, body: unknown, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });

async function runOf(base: string, id: string) {
  const res = await fetch(`${base}/runs/${id}`);
  return { status: res.status, run: ((await res.json()) as { run: { status: string } }).run };
}

describe('runRoutes', () => {
  it('starts a background run with 202 and its Location, shows it, cancels it, and frees its slot', async () => {
    const base = await serve(1);
    const to = await stallingTarget();
    const started = await post(`${base}/send`, {
      to,
      secret: SECRET,
      generate: 1,
      retrySchedule: [],
      wait: false,
    });
    expect(started.status).toBe(202);
    const { run } = (await started.json()) as { run: { id: string; kind: string; status: string } };
    expect(run).toMatchObject({ kind: 'send', status: 'running' });
    expect(started.headers.get('location')).toBe(`/runs/${run.id}`);
    expect(await runOf(base, run.id)).toMatchObject({ status: 200, run: { status: 'running' } });

    // Its slot is taken: a second run is 429 with Retry-After.
    const refused = await post(`${base}/check`, { to, secret: SECRET });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ error: { code: 'too_many_runs' } });

    const cancelled = await fetch(`${base}/runs/${run.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(202);
    const deadline = Date.now() + 10_000;
    let status = 'running';
    while (status === 'running' && Date.now() < deadline) {
      status = (await runOf(base, run.id)).run.status;
      if (status === 'running') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('cancelled');
    const next = await post(`${base}/send`, {
      to,
      secret: SECRET,
      generate: 1,
      retrySchedule: [],
      wait: false,
    });
    expect(next.status).toBe(202);
  });

  it('refuses a body that is not JSON before taking a slot, and frees the slot of a refused request', async () => {
    const base = await serve(1);
    expect((await post(`${base}/send`, {}, 'text/plain')).status).toBe(415);
    const invalid = await post(`${base}/send`, { generate: 'ten' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'invalid_request' } });
    // The one slot is free again: this request is refused for its options, not for the slot.
    expect((await post(`${base}/send`, { generate: 'ten' })).status).toBe(400);
  });

  it('answers 404 run_not_found for an id nobody issued and 400 invalid_run_id for a malformed one', async () => {
    const base = await serve(1);
    for (const method of ['GET', 'DELETE']) {
      const unknown = await fetch(`${base}/runs/run_AAAAAAAAAAAAAAAA`, { method });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 'run_not_found' } });
      const malformed = await fetch(`${base}/runs/%ZZ`, { method });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_run_id' } });
    }
  });
});
