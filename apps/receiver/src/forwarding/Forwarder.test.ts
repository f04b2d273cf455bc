// The forwarder over a real (SQLite) outbox with destinations played in memory: independence,
// retries, dead letters, refusals and outages.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { NewDelivery } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import type { Destination, ForwardMessage, PublishResult } from './Destination.js';
import { Forwarder } from './Forwarder.js';
import { ForwardingMetrics } from './ForwardingMetrics.js';

/** A destination whose answers the test decides; it keeps what it took. */
class FakeDestination implements Destination {
  readonly types = null;
  readonly concurrency = 8;
  readonly taken: ForwardMessage[] = [];
  publishes = 0;
  reachable = true;
  answer: (m: ForwardMessage, attempt: number) => PublishResult = () => ({ ok: true, duplicate: false });
  private readonly tries = new Map<string, number>();
  constructor(readonly name: string) {}
  async connect(): Promise<void> {
    if (!this.reachable) throw new Error(`${this.name} refused the connection`);
  }
  async publish(m: ForwardMessage): Promise<PublishResult> {
    this.publishes++;
    const attempt = (this.tries.get(m.webhookId) ?? 0) + 1;
    this.tries.set(m.webhookId, attempt);
    const result = this.answer(m, attempt);
    if (result.ok) this.taken.push(m);
    return result;
  }
  async close(): Promise<void> {}
}

function delivery(webhookId: string): NewDelivery {
  return {
    webhookId,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(
      `{"id":"${webhookId}","type":"payment.succeeded","timestamp":"2026-01-01T00:00:00.000Z"}`,
    ),
    headers: {},
    errors: null,
    receivedAt: Date.now(),
  };
}

async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Forwarder', () => {
  const running: { forwarder: Forwarder; store: SqliteStore }[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) {
      await r.forwarder.stop();
      await r.store.close();
    }
  });

  function start(destinations: FakeDestination[], maxAttempts = 0) {
    const store = new SqliteStore({
      filename: ':memory:',
      outboxRoutes: destinations.map((d) => ({ destination: d.name, types: null })),
    });
    const registry = new Registry();
    const metrics = new ForwardingMetrics(
      registry,
      store.outbox!,
      destinations.map((d) => d.name),
    );
    const forwarder = new Forwarder({
      outbox: store.outbox!,
      destinations,
      logger: silentLogger(),
      metrics,
      maxAttempts,
      idleMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 40,
      reconnectMaxMs: 20,
    });
    forwarder.start();
    running.push({ forwarder, store });
    return { store, forwarder, registry };
  }

  it('forwards every stored event once to each destination, with its exact bytes and time', async () => {
    const a = new FakeDestination('nats');
    const b = new FakeDestination('amqp');
    const { store, registry } = start([a, b]);
    const ids = Array.from({ length: 50 }, (_, i) => `msg_${i}`);
    await Promise.all(ids.map((id) => store.insertDelivery(delivery(id))));
    await eventually(
      () => a.taken.length + b.taken.length,
      (n) => n === 100,
    );
    for (const d of [a, b]) {
      expect(d.taken.map((m) => m.webhookId).sort()).toEqual([...ids].sort());
      expect(d.taken[0]!.body.equals(delivery(d.taken[0]!.webhookId).body)).toBe(true);
      expect(d.taken[0]!.time).toBe('2026-01-01T00:00:00.000Z');
    }
    const text = await registry.metrics();
    expect(text).toContain('webhook_forwarded_total{destination="nats"} 50');
    // The backlog gauge follows the store once the acknowledgements are settled there, a moment
    // after the destination took the last message.
    await eventually(
      () => registry.metrics(),
      (metrics) => metrics.includes('webhook_forward_backlog{destination="amqp"} 0'),
    );
  });

  it('starts a large page a slice at a time, letting the event loop answer requests in between', async () => {
    const store = new SqliteStore({
      filename: ':memory:',
      outboxRoutes: [{ destination: 'nats', types: null }],
    });
    const destination = new FakeDestination('nats');
    Object.assign(destination, { concurrency: 64 });
    const ids = Array.from({ length: 64 }, (_, i) => `msg_${i}`);
    await Promise.all(ids.map((id) => store.insertDelivery(delivery(id))));
    // What happened, in order: each publish, and a turn of the event loop (an incoming request, in
    // production) that became ready the moment the page was claimed.
    const order: string[] = [];
    const publish = destination.publish.bind(destination);
    destination.publish = (m) => {
      order.push(m.webhookId);
      return publish(m);
    };
    const outbox = store.outbox!;
    const forwarder = new Forwarder({
      outbox: Object.assign(Object.create(outbox) as typeof outbox, {
        claim: async (...args: Parameters<typeof outbox.claim>) => {
          const page = await outbox.claim(...args);
          if (page.length > 0) setImmediate(() => order.push('turn'));
          return page;
        },
      }),
      destinations: [destination],
      logger: silentLogger(),
      idleMs: 10,
    });
    forwarder.start();
    running.push({ forwarder, store });
    await eventually(
      () => destination.taken.length,
      (n) => n === 64,
    );
    // The first slice (16 rows) is started in one turn; the waiting turn runs before the rest.
    expect(order.indexOf('turn')).toBe(16);
    expect(order.filter((o) => o !== 'turn').sort()).toEqual([...ids].sort());
  });

  it('keeps forwarding to one destination while another is down, and drains the other once it is back', async () => {
    const up = new FakeDestination('nats');
    const down = new FakeDestination('amqp');
    down.reachable = false;
    const { store, forwarder, registry } = start([up, down]);
    await Promise.all(['m1', 'm2', 'm3'].map((id) => store.insertDelivery(delivery(id))));
    await eventually(
      () => up.taken.length,
      (n) => n === 3,
    );
    // Unreachable: nothing claimed, so no attempt is counted against its rows.
    expect(down.publishes).toBe(0);
    expect(forwarder.destinationHealth()).toEqual([
      { destination: 'nats', up: true },
      { destination: 'amqp', up: false, error: 'amqp refused the connection' },
    ]);
    expect(await registry.metrics()).toContain('webhook_forward_backlog{destination="amqp"} 3');
    expect((await store.outbox!.deliveriesOf('m1')).find((d) => d.destination === 'amqp')?.attempts).toBe(0);
    down.reachable = true;
    await eventually(
      () => down.taken.length,
      (n) => n === 3,
    );
    expect(up.publishes).toBe(3);
  });

  it('retries a failed publish with back-off, then records the event as forwarded', async () => {
    const flaky = new FakeDestination('http');
    flaky.answer = (_m, attempt) =>
      attempt < 3 ? { ok: false, error: 'HTTP 500' } : { ok: true, duplicate: false };
    const { store } = start([flaky]);
    await store.insertDelivery(delivery('m1'));
    const [state] = await eventually(
      () => store.outbox!.deliveriesOf('m1'),
      (d) => d[0]?.state === 'forwarded',
    );
    expect([state?.attempts, state?.lastError]).toEqual([3, null]);
  });

  it('dead-letters after maxAttempts, stops on a refusal, and re-forwards a dead letter on request', async () => {
    const failing = new FakeDestination('http');
    failing.answer = (m) =>
      m.webhookId === 'gone'
        ? { ok: false, stop: true, error: 'HTTP 410' }
        : { ok: false, error: 'HTTP 500' };
    const { store, registry } = start([failing], 2);
    await store.insertDelivery(delivery('dead'));
    await store.insertDelivery(delivery('gone'));
    const [dead] = await eventually(
      () => store.outbox!.deliveriesOf('dead'),
      (d) => d[0]?.state === 'dead',
    );
    expect([dead?.attempts, dead?.lastError]).toEqual([2, 'HTTP 500']);
    const [gone] = await eventually(
      () => store.outbox!.deliveriesOf('gone'),
      (d) => d[0]?.state === 'stopped',
    );
    expect([gone?.attempts, gone?.lastError]).toEqual([1, 'HTTP 410']);
    const text = await registry.metrics();
    expect(text).toContain('webhook_forward_dead_lettered_total{destination="http"} 1');
    expect(text).toContain('webhook_forward_dead_letters{destination="http"} 1');
    failing.answer = () => ({ ok: true, duplicate: false });
    expect(await store.outbox!.reforward('dead', ['http'], Date.now())).toBe(1);
    await eventually(
      () => store.outbox!.deliveriesOf('dead'),
      (d) => d[0]?.state === 'forwarded',
    );
  });
});
