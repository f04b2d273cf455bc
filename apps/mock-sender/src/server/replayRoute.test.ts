import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exportLine, startRecordingServer } from '../test-support/rawServers.js';
import { SECRET } from '../test-support/recorder.js';
import { createSenderServer, type SenderServerOptions } from './createSenderServer.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

const TOKEN = 't0ken-for-the-unit-tests';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const notUtf8 = Buffer.from([0x7b, 0xff, 0x0d, 0x0a, 0x7d]);
const exportText =
  exportLine('msg_a', '2026-12-01T10:00:00Z', '{"id":"a"}') +
  exportLine('msg_b', '2026-12-01T10:00:01Z', notUtf8, { type: 'refund.created' });

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function start(options: Partial<SenderServerOptions>): Promise<string> {
  const server: Server = createSenderServer({
    token: TOKEN,
    env: { WEBHOOK_SECRET: SECRET, RECEIVER_API_TOKEN: 'the-receiver-token' },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function servers() {
  const source = await startRecordingServer(() => ({ status: 200, body: exportText }));
  const target = await startRecordingServer();
  closers.push(source.close, target.close);
  return { source, target, to: `${target.base}/webhooks` };
}

const prefix = (url: string) => parseTargetPrefix(url) as TargetPrefix;
const replayAt = (base: string, body: unknown) =>
  fetch(`${base}/replay`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

describe('POST /replay', () => {
  it("replays an allowed source's export byte for byte, with the service's token and secret", async () => {
    const { source, target, to } = await servers();
    const base = await start({ allowedTargets: [prefix(to)], allowedSources: [prefix(source.base)] });
    const res = await replayAt(base, { from: source.base, to, type: 'payment.succeeded,refund.created' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sent: 2, delivered: 2, failed: 0 });
    expect(source.requests[0]?.headers.authorization).toBe('Bearer the-receiver-token');
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_a', 'msg_b']);
    expect(target.requests[1]?.body.equals(notUtf8)).toBe(true);
  });

  it('refuses a source on no allow-list, and file paths, before reading anything', async () => {
    const { source, to } = await servers();
    const open = await start({});
    const refused = await replayAt(open, { from: source.base, to, secret: SECRET });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'source_not_allowed' } });
    const file = await replayAt(open, { from: '/etc/passwd', to, secret: SECRET });
    expect(file.status).toBe(400);
    expect(await file.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        details: [{ field: 'from', message: expect.stringMatching(/serve reads no files/) }],
      },
    });
    const credentials = await replayAt(open, { from: 'http://user:pw@127.0.0.1:1/', to, secret: SECRET });
    expect(await credentials.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        details: [{ field: 'from', message: expect.stringMatching(/credentials/) }],
      },
    });
    expect(source.requests).toHaveLength(0);
  });

  it('answers 400 naming each bad field, with the send bounds', async () => {
    const base = await start({});
    const res = await replayAt(base, { from: 'http://127.0.0.1:1', speed: 0, concurrency: 1000, colour: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: Array<{ field: string }> } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['colour', 'concurrency', 'speed', 'to']);
  });
});

describe("POST /replay: the service's read token", () => {
  it('goes to a source under SENDER_ALLOWED_SOURCES only: a target-only source gets none, or the request token', async () => {
    const { source, target, to } = await servers();
    // The source is an allowed target (the whole origin), not an allowed source.
    const base = await start({ allowedTargets: [prefix(source.base), prefix(to)] });
    const res = await replayAt(base, { from: source.base, to });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sent: 2, delivered: 2 });
    expect(source.requests).toHaveLength(1);
    expect(source.requests[0]?.headers.authorization).toBeUndefined();
    const own = await replayAt(base, { from: source.base, to, token: 'the-requests-own-token' });
    expect(own.status).toBe(200);
    expect(source.requests[1]?.headers.authorization).toBe('Bearer the-requests-own-token');
    // The targets got signed deliveries and never the token.
    expect(target.requests.length).toBe(4);
    for (const request of target.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('is not sent on to where a source redirects, nor repeated in the answer', async () => {
    const elsewhere = await startRecordingServer(() => ({ status: 200, body: exportText }));
    const source = await startRecordingServer(() => ({
      status: 302,
      headers: { location: `${elsewhere.base}/events/export` },
    }));
    const target = await startRecordingServer();
    closers.push(elsewhere.close, source.close, target.close);
    const to = `${target.base}/webhooks`;
    const base = await start({
      allowedTargets: [prefix(to), prefix(elsewhere.base)],
      allowedSources: [prefix(source.base)],
    });
    const res = await replayAt(base, { from: source.base, to });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'invalid_source', message: expect.stringMatching(/answered 302/) },
    });
    expect(text).not.toContain('the-receiver-token');
    expect(source.requests[0]?.headers.authorization).toBe('Bearer the-receiver-token');
    expect(elsewhere.requests).toHaveLength(0);
    expect(target.requests).toHaveLength(0);
  });
});

describe('POST /replay: SENDER_MAX_RUN_SECONDS', () => {
  it('stops a replay whose source stalls mid-stream, answering the summary so far marked stopped', async () => {
    // One line, then silence: the replay has sent one event when its time is up.
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(exportLine('msg_a', '2026-12-01T10:00:00Z', '{"id":"a"}'));
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          stalled.closeAllConnections();
          stalled.close(() => resolve());
        }),
    );
    const from = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    const target = await startRecordingServer();
    closers.push(target.close);
    const to = `${target.base}/webhooks`;
    const base = await start({
      allowedTargets: [prefix(to)],
      allowedSources: [prefix(from)],
      maxRunSeconds: 1,
    });
    const started = Date.now();
    const res = await replayAt(base, { from, to, retrySchedule: [] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sent: 1,
      delivered: 1,
      stopped: { code: 'run_time_limit' },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_a']);
  });
});
