// Forwarding from two receiver instances sharing one PostgreSQL schema: each gets its own sender
// (mixed types, every event delivered twice), one instance is SIGKILLed mid-run and restarted, and
// the other takes over its leased outbox rows once their lease runs out. Every stored event must be
// at NATS JetStream, RabbitMQ and the HTTP endpoint with the stored bytes; the duplicates are
// counted and reported (SKIP LOCKED leases keep the two instances off each other's rows, so
// duplicates come only from the kill).
import type { SendSummary } from '@webhook-contracts/mock-sender';
import { eventually } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrlFor, dropSchema, testSchema } from '../test/support/postgresDatabase.js';
import { full } from './support/config.js';
import { forwardMetric } from './support/forwardedEverywhere.js';
import { type ForwardingRig, startForwardingRig } from './support/forwardingRig.js';
import { sendTwice } from './support/forwardScenario.js';
import { startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const perInstance = full ? 5_000 : 600;
const secret = newSecret();
const apiToken = 'reliability-forward-pg-token';
const schema = testSchema('rel_forward');
let rig: ForwardingRig | undefined;

afterAll(async () => {
  await rig?.close();
  await dropSchema(schema);
});

describe('forwarding from two instances on PostgreSQL', () => {
  it('forwards every event once per destination between them, through a SIGKILL of one', async () => {
    // A killed instance's rows are taken over after 3 × 1 s + 5 s: short, so the run ends soon.
    rig = await startForwardingRig('relpg', { timeoutMs: 1000 });
    const databaseUrl = databaseUrlFor(schema);
    const start = async (port?: number) =>
      rig!.track(
        await startReceiverProcess({
          secret,
          apiToken,
          databaseUrl,
          env: rig!.env,
          ...(port ? { port } : {}),
        }),
      );
    const a = await start();
    const b = await start();
    const started = Date.now();
    const senders = [
      sendTwice(a.url, perInstance, `pg-a-${started}`, secret, 20),
      sendTwice(b.url, perInstance, `pg-b-${started}`, secret, 20),
    ];

    await eventually(
      'a third of the events forwarded before the kill',
      async () =>
        (await forwardMetric(a.url, 'webhook_forwarded_total', 'nats')) >= perInstance / 3 ? true : undefined,
      120_000,
    );
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    await start(a.port);

    for (const run of senders) {
      const result = await run;
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as SendSummary;
      expect([summary.delivered, summary.failed]).toEqual([2 * perInstance, 0]);
    }
    // The backlog lives in the shared database: either instance reports all of it.
    const report = await rig.expectAllForwarded(b.url, apiToken, 2 * perInstance);
    console.info(
      `forwarding on PostgreSQL: ${2 * perInstance} events (each delivered twice) through 2 instances, ` +
        `one SIGKILLed; ${report.join('; ')}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
