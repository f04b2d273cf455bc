// Forwarding from two receiver instances sharing one PostgreSQL schema: each gets its own sender
// (mixed types, every event delivered twice), one instance is SIGKILLed mid-run and restarted, and
// the other takes over its leased outbox rows once their lease runs out. Every stored event must be
// at NATS JetStream, RabbitMQ and the HTTP endpoint with the stored bytes; the duplicates are
// counted and reported (SKIP LOCKED leases keep the two instances off each other's rows, so
// duplicates come only from the kill).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SendSummary } from '@webhook-contracts/mock-sender';
import { eventually } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrlFor, dropSchema, testSchema } from '../test/support/postgresDatabase.js';
import { bindQueue, deleteExchangeAndQueue, type OwnNats, startOwnNats } from './support/brokers.js';
import { type CollectingEndpoint, collectingEndpoint } from './support/collectingEndpoint.js';
import { full } from './support/config.js';
import { expectForwardedEverywhere, exportAll, forwardMetric } from './support/forwardedEverywhere.js';
import { forwardingEnv, sendTwice } from './support/forwardScenario.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const perInstance = full ? 5_000 : 600;
const secret = newSecret();
const forwardSecret = newSecret();
const apiToken = 'reliability-forward-pg-token';
const tag = randomBytes(4).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'reliability-forward-pg-'));
const schema = testSchema('rel_forward');
const stream = `RELPG_${tag}`;
const exchange = `relpg_${tag}`;
const queue = `relpg_${tag}_all`;
const instances: (ReceiverProcess | undefined)[] = [];
let nats: OwnNats | undefined;
let endpoint: CollectingEndpoint | undefined;

afterAll(async () => {
  for (const r of instances) {
    if (r && r.child.exitCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
  await nats?.stop();
  await endpoint?.close();
  await deleteExchangeAndQueue(exchange, queue).catch(() => {});
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('forwarding from two instances on PostgreSQL', () => {
  it('forwards every event once per destination between them, through a SIGKILL of one', async () => {
    nats = await startOwnNats(join(dir, 'nats'));
    await bindQueue(exchange, queue);
    endpoint = await collectingEndpoint();
    const databaseUrl = databaseUrlFor(schema);
    const env = forwardingEnv({
      natsUrl: nats.url,
      stream,
      subjectPrefix: `relpg${tag}`,
      exchange,
      httpUrl: `${endpoint.url}/hook`,
      httpSecret: forwardSecret,
      // A killed instance's rows are taken over after 3 × 1 s + 5 s: short, so the run ends soon.
      timeoutMs: 1000,
    });
    instances[0] = await startReceiverProcess({ secret, apiToken, databaseUrl, env });
    instances[1] = await startReceiverProcess({ secret, apiToken, databaseUrl, env });
    const [a, b] = instances as [ReceiverProcess, ReceiverProcess];
    const started = Date.now();
    const senders = [
      sendTwice(a.url, perInstance, `pg-a-${tag}`, secret, 20),
      sendTwice(b.url, perInstance, `pg-b-${tag}`, secret, 20),
    ];

    await eventually(
      'a third of the events forwarded before the kill',
      async () =>
        (await forwardMetric(a.url, 'webhook_forwarded_total', 'nats')) >= perInstance / 3 ? true : undefined,
      120_000,
    );
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    instances[0] = await startReceiverProcess({ secret, apiToken, databaseUrl, env, port: a.port });

    for (const run of senders) {
      const result = await run;
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as SendSummary;
      expect([summary.delivered, summary.failed]).toEqual([2 * perInstance, 0]);
    }
    // The backlog lives in the shared database: either instance reports all of it.
    for (const d of ['nats', 'amqp', 'http']) {
      await eventually(
        `the ${d} backlog drained`,
        async () => ((await forwardMetric(b.url, 'webhook_forward_backlog', d)) === 0 ? true : undefined),
        120_000,
      );
    }
    const stored = await exportAll(b.url, apiToken);
    expect(stored.size).toBe(2 * perInstance);
    const report = await expectForwardedEverywhere(stored, {
      natsUrl: nats.url,
      stream,
      queue,
      httpRequests: endpoint.requests,
      httpSecret: forwardSecret,
    });
    console.info(
      `forwarding on PostgreSQL: ${2 * perInstance} events (each delivered twice) through 2 instances, ` +
        `one SIGKILLed; ${report.join('; ')}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
