// Duplicate storm: every event delivered many times, shuffled, 50 at a time, copies of one event in
// flight together. The receiver must store each event once, process it once, and build the same
// lesson progress as the events themselves say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { eventually, expectedProgress, normaliseProgress, ReadApi } from '@webhook-contracts/test-kit';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { sizes } from './support/config.js';
import { inPool, newAgent, post } from './support/httpClient.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret, nowSeconds } from './support/signing.js';

const secret = newSecret();
const apiToken = 'reliability-storm-token';
const dir = mkdtempSync(join(tmpdir(), 'reliability-storm-'));
let receiver: ReceiverProcess | undefined;

afterAll(async () => {
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** One sample of a series in Prometheus text (0 when absent). */
function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Fisher–Yates with a small seeded PRNG, so a failing order can be reproduced from the seed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('duplicate storm', () => {
  it(`stores and processes each of ${sizes.stormEvents} events exactly once from ${sizes.stormDeliveries} shuffled deliveries`, async () => {
    receiver = await startReceiverProcess({
      secret,
      apiToken,
      databaseUrl: `sqlite:${join(dir, 'storm.sqlite')}`,
    });
    const events = [...generateEvents({ seed: 'reliability-storm', count: sizes.stormEvents })];
    const copies = sizes.stormDeliveries / sizes.stormEvents;
    const order = shuffle(
      events.flatMap((_, i) => Array.from({ length: copies }, () => i)),
      0x5eed,
    );
    // Make sure some copies travel side by side: pairs of the same event next to each other.
    for (let k = 0; k + 1 < order.length; k += 97) order[k + 1] = order[k]!;

    const bodies = events.map((e) => Buffer.from(JSON.stringify(e)));
    const answers = new Map<string, string[]>();
    const inFlight = new Map<string, number>();
    let overlaps = 0;
    const agent = newAgent(50);
    await inPool(order, 50, async (index) => {
      const event = events[index]!;
      const body = bodies[index]!;
      const flying = inFlight.get(event.id) ?? 0;
      if (flying > 0) overlaps++;
      inFlight.set(event.id, flying + 1);
      const headers = signedHeaders({ secret, id: event.id, timestamp: nowSeconds(), body });
      const res = await post(
        `${receiver!.url}/webhooks`,
        { ...headers, 'content-type': 'application/json' },
        body,
        agent,
      );
      inFlight.set(event.id, (inFlight.get(event.id) ?? 1) - 1);
      expect(res.status, res.body).toBe(200);
      const status = (JSON.parse(res.body) as { status: string }).status;
      answers.set(event.id, [...(answers.get(event.id) ?? []), status]);
    });
    agent.destroy();

    // The scenario really had copies of one event in flight at the same moment.
    expect(overlaps).toBeGreaterThan(0);
    // Exactly one delivery per event was news; every other copy was answered as a duplicate.
    expect(answers.size).toBe(events.length);
    for (const [id, statuses] of answers) {
      expect({ id, accepted: statuses.filter((s) => s === 'accepted').length }).toEqual({ id, accepted: 1 });
      expect(statuses.filter((s) => s === 'duplicate').length).toBe(statuses.length - 1);
    }

    const url = receiver.url;
    const stored = await eventually('every stored event processed', async () => {
      const all = await new ReadApi(url, apiToken).allEvents();
      return all.every((e) => e.status === 'processed') ? all : undefined;
    });
    expect(stored).toHaveLength(events.length);
    expect(new Set(stored.map((e) => e.webhook_id))).toEqual(new Set(events.map((e) => e.id)));
    const deliveriesPerEvent = new Map([...answers].map(([id, s]) => [id, s.length]));
    for (const e of stored) {
      // Processed once: one claim (attempt), and every delivery of it counted.
      expect({ id: e.webhook_id, attempts: e.attempts, seen: e.deliveries_seen }).toEqual({
        id: e.webhook_id,
        attempts: 1,
        seen: deliveriesPerEvent.get(e.webhook_id),
      });
    }
    expect(normaliseProgress(await new ReadApi(url, apiToken).progress())).toEqual(expectedProgress(events));
    // Processed once, counted where it happens: the handler ran once per event (a requeued copy
    // would run it again and leave `attempts` at 1), and the processor settled each event once.
    // Nothing is due any more, so these counters are final.
    // (The settle counter moves just after the commit that a reader may already see: wait for it.)
    const metrics = await eventually('the processed counter caught up', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return sample(text, 'webhook_events_settled_total{status="processed"}') >= events.length
        ? text
        : undefined;
    });
    expect(
      sample(metrics, 'webhook_handler_invocations_total{type="course_lesson_interaction.completed"}'),
    ).toBe(events.length);
    expect(sample(metrics, 'webhook_events_settled_total{status="processed"}')).toBe(events.length);
    expect(sample(metrics, 'webhook_deliveries_total{outcome="accepted"}')).toBe(events.length);
  });
});
