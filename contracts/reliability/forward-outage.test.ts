// Forwarding: the mock sender delivers mixed-type events with duplicates while the receiver is
// SIGKILLed twice and NATS is restarted; then RabbitMQ's app is stopped for 10 s while more events
// arrive. Every event the sender was told was delivered must reach NATS JetStream, RabbitMQ and an
// HTTP endpoint, with the exact bytes stored, the webhook-id as message id and the CloudEvents
// attributes; the duplicates each destination got are counted and reported.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SendSummary } from '@webhook-contracts/mock-sender';
import { eventually } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bindQueue,
  deleteExchangeAndQueue,
  type OwnNats,
  rabbitApp,
  startOwnNats,
} from './support/brokers.js';
import { type CollectingEndpoint, collectingEndpoint } from './support/collectingEndpoint.js';
import { full } from './support/config.js';
import { expectForwardedEverywhere, exportAll, forwardMetric } from './support/forwardedEverywhere.js';
import { forwardingEnv, sendTwice } from './support/forwardScenario.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const count = full ? 10_000 : 1_500;
const duringOutage = full ? 2_000 : 300;
const secret = newSecret();
const forwardSecret = newSecret();
const apiToken = 'reliability-forward-token';
const tag = randomBytes(4).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'reliability-forward-'));
const databaseUrl = `sqlite:${join(dir, 'forward.sqlite')}`;
const stream = `REL_${tag}`;
const exchange = `rel_${tag}`;
const queue = `rel_${tag}_all`;
let receiver: ReceiverProcess | undefined;
let nats: OwnNats | undefined;
let endpoint: CollectingEndpoint | undefined;
let rabbitStopped = false;

afterAll(async () => {
  if (rabbitStopped) rabbitApp('start_app');
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  await nats?.stop();
  await endpoint?.close();
  await deleteExchangeAndQueue(exchange, queue).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const metric = (name: string, destination: string) => forwardMetric(receiver!.url, name, destination);

describe('forwarding through crashes and broker outages', () => {
  it(`forwards every acknowledged event to NATS, RabbitMQ and HTTP, bytes intact`, async () => {
    nats = await startOwnNats(join(dir, 'nats'));
    await bindQueue(exchange, queue);
    endpoint = await collectingEndpoint();
    const env = forwardingEnv({
      natsUrl: nats.url,
      stream,
      subjectPrefix: `rel${tag}`,
      exchange,
      httpUrl: `${endpoint.url}/hook`,
      httpSecret: forwardSecret,
      timeoutMs: 2000,
    });
    receiver = await startReceiverProcess({ secret, apiToken, databaseUrl, env });
    const { port } = receiver;
    const started = Date.now();

    // Phase 1: deliveries while the receiver is killed twice and NATS restarts once.
    const first = sendTwice(receiver.url, count, `forward-1-${tag}`, secret, 40);
    const forwardedSoFar = () => metric('webhook_forwarded_total', 'http').catch(() => 0);
    for (const [i, step] of ['kill', 'nats', 'kill'].entries()) {
      const target = Math.floor((count * (i + 1)) / 4);
      await eventually(
        `${target} events forwarded before step ${i + 1}`,
        async () => ((await forwardedSoFar()) >= target / 3 ? true : undefined),
        60_000,
      );
      if (step === 'nats') {
        await nats.restart();
        continue;
      }
      receiver.child.kill('SIGKILL');
      expect((await receiver.exited).signal).toBe('SIGKILL');
      receiver = await startReceiverProcess({ secret, apiToken, databaseUrl, env, port });
    }
    const firstRun = await first;
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const firstSummary = JSON.parse(firstRun.stdout) as SendSummary;
    // Each event is delivered twice (--duplicates 2).
    expect([firstSummary.delivered, firstSummary.failed]).toEqual([2 * count, 0]);

    // Phase 2: RabbitMQ's app stops for 10 s; deliveries keep getting 2xx meanwhile.
    rabbitApp('stop_app');
    rabbitStopped = true;
    const stoppedAt = Date.now();
    const second = await sendTwice(receiver.url, duringOutage, `forward-2-${tag}`, secret, 40);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as SendSummary).delivered).toBe(2 * duringOutage);
    const health = (await (await fetch(`${receiver.url}/healthz`)).json()) as {
      status: string;
      forwarding: { destination: string; up: boolean }[];
    };
    expect(health.status).toBe('ok');
    expect(health.forwarding.find((d) => d.destination === 'amqp')?.up).toBe(false);
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - stoppedAt))));
    const backlogAtReturn = await metric('webhook_forward_backlog', 'amqp');
    rabbitApp('start_app');
    rabbitStopped = false;
    const backAt = Date.now();
    await eventually(
      'the RabbitMQ backlog drained',
      async () => ((await metric('webhook_forward_backlog', 'amqp')) === 0 ? true : undefined),
      120_000,
    );
    const drainMs = Date.now() - backAt;
    for (const d of ['nats', 'http']) {
      await eventually(
        `the ${d} backlog drained`,
        async () => ((await metric('webhook_forward_backlog', d)) === 0 ? true : undefined),
        60_000,
      );
    }

    // Every stored event (each acknowledged one is stored: the crash scenario proves it) is at
    // every destination, with the stored bytes and the right attributes.
    const stored = await exportAll(receiver.url, apiToken);
    expect(stored.size).toBe(count + duringOutage);
    const report = await expectForwardedEverywhere(stored, {
      natsUrl: nats.url,
      stream,
      queue,
      httpRequests: endpoint.requests,
      httpSecret: forwardSecret,
    });
    console.info(
      `forwarding: ${count + duringOutage} events (each delivered twice), 2 receiver SIGKILLs, a NATS restart, ` +
        `RabbitMQ stopped 10 s with ${backlogAtReturn} events waiting, drained ${drainMs} ms after it returned; ` +
        `${report.join('; ')}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
