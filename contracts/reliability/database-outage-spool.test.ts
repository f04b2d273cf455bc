// A PostgreSQL outage longer than Whop's retry window, survived by the local spool. Two built
// receivers share one PostgreSQL schema through a TCP proxy that cuts every connection and then
// refuses new ones for the whole outage; each has its own SPOOL_DIR. Two mock senders with Whop's
// schedule (retries after 10, 20 and 40 s, then give up; 15 s per attempt) deliver the same events
// (same seed, so the same webhook-ids), one to each instance, before, during and after the outage.
// When the database is back, one instance is SIGKILLed while it drains and restarted on its spool.
// Then: no event given up, every acknowledged event in PostgreSQL once and processed once (the
// lesson-progress read model equals the one the events imply). A second case fills a small spool
// during an outage: 503 once it is full, accepting again once the database is back.
//
// The outage lasts 30 s by default and 120 s in the full run (`npm run reliability -- --full`);
// RELIABILITY_OUTAGE_SECONDS overrides both.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents, type ReportLine, type SendSummary } from '@webhook-contracts/mock-sender';
import type { Health } from '@webhook-contracts/schema';
import {
  deliver,
  eventually,
  expectedProgress,
  lessonCompleted,
  normaliseProgress,
  type OutageProxy,
  ReadApi,
  runBuiltSender,
  startOutageProxy,
} from '@webhook-contracts/test-kit';
import { signedDelivery } from '@webhook-contracts/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseUrlFor,
  dropSchema,
  testDatabaseUrl,
  testSchema,
  withSql,
} from '../test/support/postgresDatabase.js';
import { full } from './support/config.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const secret = newSecret();
const apiToken = 'reliability-spool-token';
const schema = testSchema('reliability_spool');
const dir = mkdtempSync(join(tmpdir(), 'reliability-spool-'));
const outageMs = Number(process.env['RELIABILITY_OUTAGE_SECONDS'] ?? (full ? 120 : 30)) * 1000;
const leadMs = 5_000;
const tailMs = 10_000;
/** Events a second, per sender: both send the same events. */
const rate = 5;
const events = Math.round((rate * (leadMs + outageMs + tailMs)) / 1000);
const receivers = new Set<ReceiverProcess>();
let proxy: OutageProxy | undefined;

afterAll(async () => {
  for (const r of receivers) {
    if (r.child.exitCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
  await proxy?.close();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function proxiedDatabaseUrl(): Promise<string> {
  const target = new URL(testDatabaseUrl);
  proxy ??= await startOutageProxy(target.hostname, Number(target.port || 5432));
  const proxied = new URL(databaseUrlFor(schema));
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}

async function startInstance(
  name: string,
  env: Record<string, string>,
  port?: number,
): Promise<ReceiverProcess> {
  const receiver = await startReceiverProcess({
    secret,
    apiToken,
    databaseUrl: await proxiedDatabaseUrl(),
    ...(port === undefined ? {} : { port }),
    env: {
      SPOOL_DIR: join(dir, `spool-${name}`),
      DATABASE_STARTUP_TIMEOUT_SECONDS: '10',
      // A killed instance's claims are taken over after the lease: keep it short so the run ends soon.
      PROCESSING_LEASE_MS: '2000',
      ...env,
    },
  });
  receivers.add(receiver);
  return receiver;
}

type Probe = { status: number; body?: Health & { error?: { code: string } } };

async function healthOf(receiver: ReceiverProcess): Promise<Probe> {
  try {
    const res = await fetch(`${receiver.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Probe['body'] & Health };
  } catch {
    return { status: 0 };
  }
}

function reportLines(file: string): ReportLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as ReportLine);
}

/** The drainer's batch lines in a receiver's output. */
function drainedBatches(
  output: string,
): { drained: number; inserted: number; depth: number; time: number }[] {
  return output
    .split('\n')
    .filter((line) => line.includes('spool drain: batch moved into the store'))
    .map((line) => JSON.parse(line) as { drained: number; inserted: number; depth: number; time: number });
}

describe('a PostgreSQL outage longer than the sender retries, with a spool', () => {
  it(`gives up no event through a ${outageMs / 1000} s outage with two instances, one SIGKILLed mid-drain`, async () => {
    // Small drain batches on instance a, so the kill lands with most of its spool still to drain.
    const envA = { SPOOL_DRAIN_BATCH: '2' };
    let a = await startInstance('a', envA);
    const b = await startInstance('b', { SPOOL_DRAIN_BATCH: '50' });
    const seed = `reliability-spool-${Date.now()}`;
    const send = (receiver: ReceiverProcess, report: string) =>
      runBuiltSender(
        [
          'send',
          '--to',
          `${receiver.url}/webhooks`,
          '--generate',
          String(events),
          '--seed',
          seed,
          '--rate',
          String(rate),
          '--concurrency',
          '50',
          '--retry-schedule',
          '10,20,40',
          '--timeout',
          '15000',
          '--report',
          report,
          '--no-progress',
          '--json',
        ],
        { WEBHOOK_SECRET: secret },
        { cleanEnv: true },
      );
    const reports = [join(dir, 'report-a.jsonl'), join(dir, 'report-b.jsonl')];
    const senders = [send(a, reports[0]!), send(b, reports[1]!)];

    // /healthz of both instances once a second: spool depth, and what a load balancer is told.
    const probes: { at: number; instance: 'a' | 'b'; probe: Probe }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const [pa, pb] = await Promise.all([healthOf(a), healthOf(b)]);
        probes.push(
          { at: Date.now(), instance: 'a', probe: pa },
          { at: Date.now(), instance: 'b', probe: pb },
        );
        await sleep(1000);
      }
    })();

    await sleep(leadMs);
    const downAt = Date.now();
    await proxy!.down();
    await sleep(outageMs);
    await proxy!.up();
    const upAt = Date.now();

    // SIGKILL instance a as soon as its drainer has committed its first batch after the outage.
    const killed = a;
    await eventually(
      'instance a drains its spool',
      () => (drainedBatches(killed.stdout()).length > 0 ? true : undefined),
      30_000,
    );
    const exit = await killed.kill();
    expect(exit.signal).toBe('SIGKILL');
    const depthAtKill = drainedBatches(killed.stdout()).at(-1)!.depth;
    a = await startInstance('a', envA, killed.port);
    expect(a.port).toBe(killed.port);
    // Killed mid-drain, and restarted on a spool that still held deliveries.
    expect(depthAtKill).toBeGreaterThan(0);
    expect(a.stdout()).toMatch(/spool opened: draining what it holds into the store/);

    const results = await Promise.all(senders);
    await eventually(
      'both spools drained',
      async () => {
        const [ha, hb] = await Promise.all([healthOf(a), healthOf(b)]);
        return ha.body?.spool?.depth === 0 && hb.body?.spool?.depth === 0 ? true : undefined;
      },
      60_000,
    );
    probing = false;
    await prober;

    const rows = await eventually(
      'every stored event processed',
      () =>
        withSql(async (c) => {
          const { rows } = await c.query<{
            webhook_id: string;
            status: string;
            deliveries_seen: number;
            attempts: number;
          }>(`SELECT webhook_id, status, deliveries_seen, attempts FROM "${schema}".webhook_events`);
          return rows.length >= events && rows.every((r) => r.status === 'processed') ? rows : undefined;
        }),
      60_000,
    );

    // Figures first, so a failing run still shows them.
    const summaries = results.map((r) => JSON.parse(r.stdout) as SendSummary);
    const batches = [killed, a, b].flatMap((r) => drainedBatches(r.stdout()));
    const drained = batches.reduce((n, x) => n + x.drained, 0);
    const inserted = batches.reduce((n, x) => n + x.inserted, 0);
    // Instance b's drain (batches of 50, no kill): from its first batch line to its last.
    const batchesB = drainedBatches(b.stdout());
    const times = batchesB.map((x) => x.time);
    const drainSecondsB = times.length < 2 ? 0 : (Math.max(...times) - Math.min(...times)) / 1000;
    const duringOutage = probes.filter((p) => p.at > downAt + 1500 && p.at < upAt);
    const figures = {
      outageSeconds: outageMs / 1000,
      events,
      deliveries: summaries.reduce((n, s) => n + s.sent, 0),
      givenUp: summaries.reduce((n, s) => n + s.failed, 0),
      attemptsByStatus: summaries.map((s) => s.byStatus),
      maxSpoolDepth: Math.max(0, ...probes.map((p) => p.probe.body?.spool?.depth ?? 0)),
      depthAtKill,
      drained,
      drainedDuplicates: drained - inserted,
      drainPerSecondB:
        drainSecondsB === 0 ? null : Math.round(batchesB.reduce((n, x) => n + x.drained, 0) / drainSecondsB),
      healthDuringOutage: Object.fromEntries(
        ['ok', 'spooling', '503', 'none'].map((k) => [
          k,
          duringOutage.filter((p) =>
            k === '503'
              ? p.probe.status === 503
              : k === 'none'
                ? p.probe.status === 0
                : p.probe.body?.status === k,
          ).length,
        ]),
      ),
      // Each event is sent to both instances: a count above 2 is a sender retry or a record drained
      // again after the kill.
      rowsSeenMoreThanTwice: rows.filter((r) => r.deliveries_seen > 2).length,
      // Processing claims past the first: a lease the kill left behind, taken over.
      claimedAgain: rows.filter((r) => r.attempts > 1).length,
    };
    console.info(`[database-outage-spool] figures ${JSON.stringify(figures)}`);

    // The senders: every event delivered, none given up.
    for (const [i, result] of results.entries()) {
      expect(result.code, result.stderr).toBe(0);
      expect(summaries[i]!.failed).toBe(0);
      expect(summaries[i]!.delivered).toBe(events);
    }
    const acknowledged = new Set(
      reports.flatMap((f) =>
        reportLines(f)
          .filter((l) => l.delivered)
          .map((l) => l.id),
      ),
    );
    expect(acknowledged.size).toBe(events);

    // PostgreSQL: each acknowledged event once, processed, and nothing else.
    const stored = new Set(rows.map((r) => r.webhook_id));
    expect(stored.size).toBe(rows.length);
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    expect(rows).toHaveLength(events);
    // Processed once: the read model is exactly what the events imply (a second run of a handler
    // would not change it, but a lost or doubled row would).
    expect(normaliseProgress(await new ReadApi(b.url, apiToken).progress())).toEqual(
      expectedProgress([...generateEvents({ seed, count: events })]),
    );

    // The spool was used, and the load balancer kept both instances in while it had room.
    expect(drained).toBeGreaterThan(0);
    expect(figures.maxSpoolDepth).toBeGreaterThan(0);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((p) => p.probe.status !== 200 || p.probe.body?.status !== 'spooling')).toEqual(
      [],
    );
  });

  it('answers 503 once the spool is at its budget, and accepts again once the database is back', async () => {
    const receiver = await startInstance('small', {
      SPOOL_MAX_BYTES: String(64 * 1024),
      SPOOL_AFTER_MS: '500',
    });
    const url = `${receiver.url}/webhooks`;
    const prefix = `msg_budget_${Date.now()}_`;
    const post = (i: number) =>
      deliver(
        url,
        signedDelivery({ secret, id: `${prefix}${i}`, payload: lessonCompleted({ id: `${prefix}${i}` }) }),
      );
    await proxy!.down();
    const accepted: number[] = [];
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    let refusedAt = -1;
    for (let i = 0; i < 1000 && refused === undefined; i++) {
      const answer = await post(i);
      if (answer.status === 200) accepted.push(i);
      else {
        refused = answer;
        refusedAt = i;
      }
    }
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused!.text).error.code).toBe('store_unavailable');
    expect(refused!.headers.get('retry-after')).toBe('5');
    const full = await healthOf(receiver);
    expect(full.status).toBe(503);
    expect(full.body?.error?.code).toBe('store_unavailable');

    await proxy!.up();
    await eventually(
      'the spool drained and /healthz ok',
      async () => {
        const h = await healthOf(receiver);
        return h.status === 200 && h.body?.status === 'ok' && h.body.spool?.depth === 0 ? true : undefined;
      },
      30_000,
    );
    expect((await post(refusedAt)).status).toBe(200);
    const ids = [...accepted, refusedAt].map((i) => `${prefix}${i}`);
    const stored = await withSql(async (c) => {
      const { rows } = await c.query<{ webhook_id: string }>(
        `SELECT webhook_id FROM "${schema}".webhook_events WHERE webhook_id = ANY($1)`,
        [ids],
      );
      return rows.map((r) => r.webhook_id).sort();
    });
    expect(stored).toEqual([...ids].sort());
    console.info(
      `[database-outage-spool] budget: ${accepted.length} deliveries spooled in 64 KiB, then 503; all stored after the outage`,
    );
  });
});
