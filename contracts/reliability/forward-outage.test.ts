// Forwarding: the mock sender delivers mixed-type events with duplicates while the receiver is
// SIGKILLed twice and NATS is restarted; then RabbitMQ's app is stopped for 10 s while more events
// arrive. Every event the sender was told was delivered must reach NATS JetStream, RabbitMQ and an
// HTTP endpoint, with the exact bytes stored, the webhook-id as message id and the CloudEvents
// attributes; the duplicates each destination got are counted and reported.

import { join } from 'node:path';
import type { SendSummary } from '@webhook-contracts/mock-sender';
import { eventually } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitApp } from './support/brokers.js';
import { full } from './support/config.js';
import { forwardMetric } from './support/forwardedEverywhere.js';
import { type ForwardingRig, startForwardingRig } from './support/forwardingRig.js';
import { sendTwice } from './support/forwardScenario.js';
import { startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const count = full ? 10_000 : 1_500;
const duringOutage = full ? 2_000 : 300;
const secret = newSecret();
const apiToken = 'reliability-forward-token';
let rig: ForwardingRig | undefined;
let rabbitStopped = false;

afterAll(async () => {
  if (rabbitStopped) rabbitApp('start_app');
  await rig?.close();
});

describe('forwarding through crashes and broker outages', () => {
  it(`forwards every acknowledged event to NATS, RabbitMQ and HTTP, bytes intact`, async () => {
    rig = await startForwardingRig('rel', { timeoutMs: 2000 });
    const { env, nats } = rig;
    const databaseUrl = `sqlite:${join(rig.dir, 'forward.sqlite')}`;
    let receiver = rig.track(await startReceiverProcess({ secret, apiToken, databaseUrl, env }));
    const metric = (name: string, destination: string) => forwardMetric(receiver.url, name, destination);
    const { port } = receiver;
    const started = Date.now();

    // Phase 1: deliveries while the receiver is killed twice and NATS restarts once.
    const first = sendTwice(receiver.url, count, `forward-1-${started}`, secret, 40);
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
      receiver = rig.track(await startReceiverProcess({ secret, apiToken, databaseUrl, env, port }));
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
    const second = await sendTwice(receiver.url, duringOutage, `forward-2-${started}`, secret, 40);
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

    const report = await rig.expectAllForwarded(receiver.url, apiToken, count + duringOutage);
    console.info(
      `forwarding: ${count + duringOutage} events (each delivered twice), 2 receiver SIGKILLs, a NATS restart, ` +
        `RabbitMQ stopped 10 s with ${backlogAtReturn} events waiting, drained ${drainMs} ms after it returned; ` +
        `${report.join('; ')}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
