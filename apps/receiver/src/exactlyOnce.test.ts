// Exactly once, observed from outside: a counting handler registered through createReceiver's
// public `handlers` option and the /metrics counters, on both backends. Copies arrive in a
// concurrent storm, after processing finished, and after a restart; each event's handler runs once.
// Every assertion waits for the processor to be idle first (nothing due in the store, nothing
// claimed), so a wrongly requeued copy has had its chance to run again.
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { eventually } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver } from './createReceiver.js';
import { lessonProgressHandler } from './readModels/lessonProgress/lessonProgressHandler.js';
import type { Store } from './store/core/Store.js';
import { PostgresStore } from './store/postgres/PostgresStore.js';
import { SqliteStore } from './store/sqlite/SqliteStore.js';
import { nextDueAt } from './store/test-support/nextDueAt.js';
import { dropSchema, randomSchema, testDatabaseUrl } from './store/test-support/postgresTestDatabase.js';
import {
  completedEvent,
  type SignedRequest,
  send,
  signedRequest,
  testSecret,
} from './test-support/signedRequest.js';

interface Backend {
  name: string;
  /** A fresh place to store events; `open` may be called again on it (a restart). */
  create(): { open(): Promise<Store>; cleanup(): Promise<void> };
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    create() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exactly-once-'));
      return {
        open: async () => new SqliteStore({ filename: path.join(dir, 'receiver.sqlite') }),
        cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    create() {
      const schema = randomSchema();
      return {
        open: () => PostgresStore.open({ url: testDatabaseUrl, schema, poolSize: 4 }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

interface Running {
  url: string;
  store: Store;
  /** Event ids (the payload's `id`) in the order the handler ran for them. */
  calls: string[];
  stop(): Promise<void>;
}

async function start(open: () => Promise<Store>): Promise<Running> {
  const store = await open();
  const calls: string[] = [];
  const receiver = createReceiver({
    store,
    secret: testSecret,
    handlers: {
      'course_lesson_interaction.completed': (event: CourseLessonInteractionCompleted) => {
        calls.push(event.id);
        return { lessonCompletions: lessonProgressHandler(event) };
      },
    },
    processing: { pollIntervalMs: 20 },
  });
  const server: Server = await new Promise((resolve) => {
    const s = receiver.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await receiver.close();
      await store.close();
    },
  };
}

/** One sample of a counter from the Prometheus text at /metrics (0 when the series is absent). */
async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const settledProcessed = 'webhook_events_settled_total{status="processed"}';
const handlerRuns = 'webhook_handler_invocations_total{type="course_lesson_interaction.completed"}';

/**
 * Resolves once the processor is idle: nothing is due or leased in the store, every stored event
 * has left `received`, and the settle counter has caught up with `settled` (it moves just after
 * the commit, which a reader may already see). An overshoot stays visible to the caller's asserts.
 */
async function idle(r: Running, settled: number): Promise<void> {
  await eventually(
    'nothing left to process',
    async () => {
      if ((await nextDueAt(r.store)) !== null) return undefined;
      const waiting = await r.store.listEvents({ status: 'received', limit: 1 });
      if (waiting.events.length > 0) return undefined;
      return (await metric(r.url, settledProcessed)) >= settled ? true : undefined;
    },
    15_000,
  );
}

/** A fresh copy of a delivery, as a sender's retry: same id and body, new timestamp and signature. */
function copyOf(req: SignedRequest): SignedRequest {
  return signedRequest({ id: req.id, payload: req.body });
}

async function sendAll(url: string, requests: readonly SignedRequest[]): Promise<string[]> {
  return Promise.all(
    requests.map(async (req) => {
      const res = await send(`${url}/webhooks`, req);
      expect(res.status).toBe(200);
      return ((await res.json()) as { status: string }).status;
    }),
  );
}

/** The event's own id (the payload's `id`), which the handler sees. */
function eventId(req: SignedRequest): string {
  return (JSON.parse(req.body.toString()) as { id: string }).id;
}

function events(n: number): SignedRequest[] {
  return Array.from({ length: n }, (_, i) =>
    signedRequest({ payload: completedEvent({ userId: `user_${i}`, lessonId: `lesn_${i}` }) }),
  );
}

describe.each(backends)('exactly once on $name', (backend) => {
  const running: Running[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    for (const c of cleanups.splice(0)) await c();
  });

  function place() {
    const p = backend.create();
    cleanups.push(p.cleanup);
    return p;
  }

  async function startOn(open: () => Promise<Store>) {
    const r = await start(open);
    running.push(r);
    return r;
  }

  it('runs the handler once per event for a storm of concurrent copies', async () => {
    const r = await startOn(place().open);
    const originals = events(10);
    const storm = originals.flatMap((req) => Array.from({ length: 8 }, () => copyOf(req)));
    const statuses = await sendAll(r.url, storm);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(70);
    await idle(r, 10);
    expect([...r.calls].sort()).toEqual(originals.map(eventId).sort());
    expect(await metric(r.url, settledProcessed)).toBe(10);
    expect(await metric(r.url, handlerRuns)).toBe(10);
  });

  it('does not run the handler again for copies that arrive after processing finished', async () => {
    const r = await startOn(place().open);
    const originals = events(5);
    expect(await sendAll(r.url, originals)).toEqual(Array(5).fill('accepted'));
    await idle(r, 5);
    expect(r.calls).toHaveLength(5);
    for (const o of originals) expect((await r.store.getEvent(o.id))!.status).toBe('processed');

    const late = await sendAll(
      r.url,
      originals.flatMap((o) => [copyOf(o), copyOf(o), copyOf(o)]),
    );
    expect(late).toEqual(Array(15).fill('duplicate'));
    await idle(r, 5);
    expect([...r.calls].sort()).toEqual(originals.map(eventId).sort());
    expect(await metric(r.url, settledProcessed)).toBe(5);
    expect(await metric(r.url, handlerRuns)).toBe(5);
    for (const o of originals) {
      expect(await r.store.getEvent(o.id)).toMatchObject({ status: 'processed', deliveriesSeen: 4 });
    }
  });

  it('does not run the handler again for copies that arrive after a restart', async () => {
    const p = place();
    const first = await startOn(p.open);
    const originals = events(4);
    await sendAll(first.url, originals);
    await idle(first, 4);
    expect(first.calls).toHaveLength(4);
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const second = await startOn(p.open);
    const copies = await sendAll(second.url, [...originals, ...originals].map(copyOf));
    expect(copies).toEqual(Array(8).fill('duplicate'));
    await idle(second, 0);
    expect(second.calls).toEqual([]);
    expect(await metric(second.url, settledProcessed)).toBe(0);
    expect(await metric(second.url, handlerRuns)).toBe(0);
    for (const o of originals) {
      expect(await second.store.getEvent(o.id)).toMatchObject({ status: 'processed', deliveriesSeen: 3 });
    }
  });
});
