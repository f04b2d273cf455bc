// A database that freezes, then is cut: the built receiver on PostgreSQL through a TCP proxy in this
// test. While deliveries and /healthz probes run, the proxy stops forwarding for 12 s with every
// socket left open (queries get neither an answer nor an error), then destroys every connection,
// then forwards again. Every answer must come within a bound, nothing answered 2xx may be missing
// from PostgreSQL (read directly), /healthz must answer within its 2 s limit throughout, 503
// during the freeze and 200 once the database is back.

import { eventually } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseUrlFor,
  dropSchema,
  testDatabaseUrl,
  testSchema,
  withSql,
} from '../test/support/postgresDatabase.js';
import { type FreezingProxy, startFreezingProxy } from './support/freezingProxy.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';
import { type Answer, countByStatus, maxMs, startScenarioTraffic } from './support/timedTraffic.js';

const secret = newSecret();
const apiToken = 'reliability-freeze-token';
const schema = testSchema('reliability_freeze');
const freezeMs = 12_000;
/** Every delivery is answered within this, whatever the database does. */
const answerBoundMs = 10_000;
/** The receiver's /healthz limit, and the margin allowed for a loaded 2-core machine. */
const healthLimitMs = 2_000;
const healthMarginMs = 1_000;
let receiver: ReceiverProcess | undefined;
let proxy: FreezingProxy | undefined;

afterAll(async () => {
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  await proxy?.close();
  await dropSchema(schema);
});

function during(answers: readonly Answer[], from: number, to: number): Answer[] {
  return answers.filter((a) => a.sentAt >= from && a.sentAt + a.ms <= to);
}

describe('a database that freezes and is cut', () => {
  it(`answers every delivery within ${answerBoundMs / 1000} s, loses nothing acknowledged, and keeps /healthz within ${healthLimitMs / 1000} s`, async () => {
    const target = new URL(testDatabaseUrl);
    proxy = await startFreezingProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(databaseUrlFor(schema));
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    receiver = await startReceiverProcess({
      secret,
      apiToken,
      databaseUrl: proxied.toString(),
      env: { DATABASE_STARTUP_TIMEOUT_SECONDS: '10' },
    });
    const { url } = receiver;

    const traffic = startScenarioTraffic({
      url,
      secret,
      idPrefix: `msg_freeze_${Date.now()}`,
      maxDeliveries: 20_000,
    });
    const { at, deliveries, health } = traffic;

    // Normal traffic first, then the freeze with deliveries and probes still going.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const frozeAt = at();
    proxy.freeze();
    await new Promise((resolve) => setTimeout(resolve, freezeMs));
    const cutAt = at();
    const cutConnections = proxy.connections;
    proxy.cut();
    proxy.thaw();

    // Recovered: /healthz says 200 and a delivery sent now is accepted.
    await eventually(
      'healthz 200 and a delivery accepted after the database came back',
      async () => {
        const healthy = health.answers.some((p) => p.sentAt > cutAt && p.status === 200);
        const accepting = deliveries.answers.some((d) => d.sentAt > cutAt && d.status === 200);
        return healthy && accepting ? true : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      traffic.halt();
      throw error;
    });
    const recoveredAt = at();
    await traffic.stop();
    const sent = deliveries.answers;
    const probes = health.answers;

    // Figures first, so a failing run still shows them.
    const frozenProbes = during(probes, frozeAt + 100, cutAt);
    const figures = {
      deliveries: sent.length,
      byStatus: countByStatus(sent),
      maxDeliveryMs: maxMs(sent),
      healthProbes: probes.length,
      healthByStatus: countByStatus(probes),
      healthDuringFreeze: countByStatus(frozenProbes),
      maxHealthMs: maxMs(probes),
      connectionsCut: cutConnections,
      recoveredMsAfterCut: Math.round(recoveredAt - cutAt),
    };
    console.info(`[database-freeze] figures ${JSON.stringify(figures)}`);

    // Every delivery answered, within the bound, 200 or a 503 the sender retries.
    expect(sent.filter((d) => d.status === 0)).toEqual([]);
    expect(figures.maxDeliveryMs).toBeLessThan(answerBoundMs);
    const refused = sent.filter((d) => d.status !== 200);
    expect(refused.filter((d) => d.status !== 503 || d.code !== 'store_unavailable')).toEqual([]);
    expect(sent.filter((d) => d.status === 200).length).toBeGreaterThan(0);

    // Nothing acknowledged is missing from PostgreSQL.
    const stored = await withSql(async (c) => {
      const { rows } = await c.query<{ webhook_id: string }>(
        `SELECT webhook_id FROM "${schema}".webhook_events`,
      );
      return new Set(rows.map((r) => r.webhook_id));
    });
    const acknowledged = sent.filter((d) => d.status === 200).map((d) => d.id);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    // /healthz within its limit throughout: 503 naming the store while frozen, 200 after.
    expect(probes.filter((p) => p.status === 0)).toEqual([]);
    expect(figures.maxHealthMs).toBeLessThan(healthLimitMs + healthMarginMs);
    expect(frozenProbes.length).toBeGreaterThanOrEqual(5);
    expect(frozenProbes.filter((p) => p.status !== 503 || p.code !== 'store_unavailable')).toEqual([]);
    expect(probes.filter((p) => p.sentAt < frozeAt - 100).every((p) => p.status === 200)).toBe(true);
    expect(probes.at(-1)?.status).toBe(200);
  });
});
