// The generator worker against the in-thread path it stands in for: the built worker (and the built
// CLI, which uses it for a large --generate) must produce the very events `payloadSource` and
// `rewriteIds` make on the sending thread for the same seed: same order, ids and bytes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { requireBuilt, runBuiltSender, senderCli } from '@webhook-contracts/test-kit';
import { Webhook } from '@webhook-contracts/webhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GENERATOR_WORKER_FILE, generatedInWorker } from '../dist/sending/worker/generatedInWorker.js';
import { Random } from '../src/generators/random.js';
import { payloadSource } from '../src/sending/eventSource.js';
import type { Outgoing } from '../src/sending/runDeliveries.js';
import { rewriteIds } from '../src/sending/rewriteIds.js';
import { createRingMemory, RingReader, type Signed } from '../src/sending/worker/eventRing.js';
import { startRecordingServer } from '../src/test-support/rawServers.js';
import { SECRET } from '../src/test-support/recorder.js';

beforeAll(() => requireBuilt([senderCli, GENERATOR_WORKER_FILE]));

/** The events `send` makes on its own thread: its payload source, one fresh id drawn per event. */
function* inThread(seed: string, count: number, keepIds = false): Generator<Outgoing> {
  const ids = new Random(`${seed}:ids`);
  for (const payload of payloadSource({ generate: count }, seed)) {
    const { webhookId, type, body } = rewriteIds(payload, `msg_${ids.base62(24)}`, keepIds, []);
    yield { webhookId, type, body, first: true };
  }
}

const view = (events: Iterable<Outgoing>) =>
  Array.from(events, (e) => ({ id: e.webhookId, type: e.type, body: e.body.toString('utf8') }));

/** Everything the worker writes for these options, read straight from the ring. */
async function fromWorker(seed: string, count: number, keepIds: boolean, secret?: string) {
  const memory = createRingMemory(256 * 1024);
  const worker = new Worker(GENERATOR_WORKER_FILE, { workerData: { memory, seed, count, keepIds, secret } });
  const reader = new RingReader(memory);
  const events: Array<{ id: string; body: string; signed?: Signed | undefined }> = [];
  try {
    for (;;) {
      const entry = reader.next(20_000);
      if (entry.kind === 'end') break;
      if (entry.kind === 'failed') throw new Error(entry.message);
      events.push({
        id: entry.webhookId,
        body: entry.body.toString('utf8'),
        ...(entry.signed === undefined ? {} : { signed: entry.signed }),
      });
    }
  } finally {
    reader.close();
    await worker.terminate();
  }
  return events;
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('generator worker', () => {
  it('writes the same events as the sending thread makes, ids and bytes, past many wraps of its ring', async () => {
    const expected = view(inThread('worker-1', 3_000)).map(({ id, body }) => ({ id, body }));
    expect(await fromWorker('worker-1', 3_000, false)).toEqual(expected);
  });

  it('signs each event ahead with the run secret, for the second it was made in', async () => {
    const before = Math.floor(Date.now() / 1000);
    const events = await fromWorker('worker-5', 500, false, SECRET);
    const after = Math.floor(Date.now() / 1000);
    const expected = view(inThread('worker-5', 500)).map(({ id, body }) => ({ id, body }));
    expect(events.map(({ id, body }) => ({ id, body }))).toEqual(expected);
    const webhook = new Webhook(SECRET);
    for (const { id, body, signed } of events) {
      expect(signed?.timestamp).toBeGreaterThanOrEqual(before);
      expect(signed?.timestamp).toBeLessThanOrEqual(after);
      expect(signed?.signature).toBe(webhook.sign(id, signed?.timestamp ?? 0, Buffer.from(body)));
    }
  });

  it('signs nothing ahead without a secret, or with one that cannot sign (the sending thread then does)', async () => {
    const unsigned = await fromWorker('worker-6', 20, false);
    expect(unsigned.filter((e) => e.signed !== undefined)).toEqual([]);
    const publicOnly = await fromWorker('worker-6', 20, false, 'whpk_notakey');
    expect(publicOnly.map(({ id, body }) => ({ id, body }))).toEqual(unsigned);
    expect(publicOnly.filter((e) => e.signed !== undefined)).toEqual([]);
  });

  it('keeps the generated ids with keepIds, as the sending thread does', async () => {
    const expected = view(inThread('worker-2', 300, true)).map(({ id, body }) => ({ id, body }));
    expect(expected[0]?.id).toMatch(/^msg_/);
    expect(await fromWorker('worker-2', 300, true)).toEqual(expected);
  });

  it('streams the same events whichever thread makes the first ones', () => {
    const expected = view(inThread('worker-3', 20_000));
    const events = generatedInWorker({ seed: 'worker-3', count: 20_000, keepIds: false }, inThread('worker-3', 20_000));
    try {
      expect(view({ [Symbol.iterator]: () => events.stream })).toEqual(expected);
    } finally {
      events.close();
    }
  });

  it('makes every event on the sending thread when the worker cannot start', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'generator-worker-')), 'broken.mjs');
    writeFileSync(broken, "throw new Error('this worker does not start');\n");
    const expected = view(inThread('worker-4', 50));
    const events = generatedInWorker({ seed: 'worker-4', count: 50, keepIds: false }, inThread('worker-4', 50), broken);
    const seen: ReturnType<typeof view> = [];
    try {
      // One event per turn of the event loop, as the pool takes them: the worker's error arrives.
      for (let next = events.stream.next(); next.done !== true; next = events.stream.next()) {
        seen.push(...view([next.value]));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      events.close();
    }
    expect(seen).toEqual(expected);
  });

  it('is what the CLI sends for a large --generate: the in-thread events, each signed', async () => {
    const server = await startRecordingServer();
    closeServer = server.close;
    const run = await runBuiltSender(
      ['send', '--to', `${server.base}/hook`, '--generate', '2500', '--seed', 'cli-worker', '--concurrency', '1', '--json'],
      { WEBHOOK_SECRET: SECRET },
      { cleanEnv: true },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ delivered: 2_500, failed: 0 });
    const expected = view(inThread('cli-worker', 2_500)).map(({ id, body }) => ({ id, body }));
    const sent = server.requests.map((r) => ({ id: String(r.headers['webhook-id']), body: r.body.toString('utf8') }));
    expect(sent).toEqual(expected);
    const webhook = new Webhook(SECRET);
    for (const request of server.requests)
      expect(webhook.verify(request.headers as Record<string, string>, request.body).id).toBe(request.headers['webhook-id']);
  });
});
