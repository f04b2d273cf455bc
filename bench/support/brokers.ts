// The brokers' clients, borrowed from the receiver (the same versions it forwards with), and what
// the forwarding benchmark does with them: publish the way the receiver does, count what a stream,
// a queue or an HTTP sink holds, and remove the benchmark's own stream, exchange and queue (or stop
// the sink) afterwards.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { freePort, ROOT, spawnNode, stop, waitForHttp } from './processes.js';

export const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
export const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const fromReceiver = createRequire(join(ROOT, 'apps/receiver/package.json'));

interface NatsHeaders {
  set(name: string, value: string): void;
}
interface NatsConnection {
  drain(): Promise<void>;
}
interface JetStream {
  publish(
    subject: string,
    body: Uint8Array,
    options: { msgID: string; headers: NatsHeaders; timeout: number },
  ): Promise<{ duplicate: boolean }>;
}
interface JetStreamManager {
  streams: {
    add(config: { name: string; subjects: string[]; duplicate_window: number }): Promise<unknown>;
    info(name: string): Promise<{ state: { messages: number } }>;
    delete(name: string): Promise<boolean>;
  };
}
const natsTransport = fromReceiver('@nats-io/transport-node') as {
  connect(options: { servers: string; timeout: number }): Promise<NatsConnection>;
  headers(): NatsHeaders;
  nanos(ms: number): number;
};
const natsJetStream = fromReceiver('@nats-io/jetstream') as {
  jetstream(nc: NatsConnection, options: { timeout: number }): JetStream;
  jetstreamManager(nc: NatsConnection, options: { timeout: number }): Promise<JetStreamManager>;
};

interface AmqpChannel {
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Record<string, unknown>,
    callback: (error: unknown) => void,
  ): boolean;
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  assertQueue(name: string, options: { durable: boolean }): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  checkQueue(name: string): Promise<{ messageCount: number }>;
  deleteQueue(name: string): Promise<unknown>;
  deleteExchange(name: string): Promise<unknown>;
  close(): Promise<void>;
}
interface AmqpConnection {
  createConfirmChannel(): Promise<AmqpChannel>;
  close(): Promise<void>;
}
const amqplib = fromReceiver('amqplib') as {
  connect(url: string, options: { timeout: number }): Promise<AmqpConnection>;
};

/** The receiver's CloudEvents source; the bare loops send the same attributes it does. */
const SOURCE = 'https://whop.com/webhooks';

function attributes(id: string, type: string, time: string): Record<string, string> {
  return { id, type, source: SOURCE, specversion: '1.0', time };
}

/** A broker as the forwarding benchmark uses it: a bare publisher and a counter of what it holds. */
export interface BenchBroker {
  /** Publishes `count` messages, `window` awaiting their ack at once, as the receiver does. */
  publish(
    bodies: (i: number) => { id: string; type: string; time: string; body: Buffer },
    count: number,
    window: number,
  ): Promise<void>;
  /** Messages the stream or the queue holds. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A JetStream stream `stream` on `<prefix>.>`, created as the receiver creates its own (duplicate
 * window two minutes); `remove` deletes it.
 */
export async function natsBroker(stream: string, prefix: string, remove: boolean): Promise<BenchBroker> {
  const nc = await natsTransport.connect({ servers: NATS_URL, timeout: 10_000 });
  const jsm = await natsJetStream.jetstreamManager(nc, { timeout: 10_000 });
  const js = natsJetStream.jetstream(nc, { timeout: 10_000 });
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      duplicate_window: natsTransport.nanos(120_000),
    });
  }
  return {
    async publish(message, count, window) {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const m = message(next++);
          const h = natsTransport.headers();
          for (const [name, value] of Object.entries(attributes(m.id, m.type, m.time)))
            h.set(`ce-${name}`, value);
          h.set('content-type', 'application/json');
          await js.publish(`${prefix}.${m.type}`, m.body, { msgID: m.id, headers: h, timeout: 10_000 });
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    },
    count: async () => (await jsm.streams.info(stream)).state.messages,
    async close() {
      if (remove) await jsm.streams.delete(stream).catch(() => false);
      await nc.drain();
    },
  };
}

/**
 * A durable topic exchange `exchange` with a durable queue of the same name bound to every key, so
 * each confirm means the message is stored; `remove` deletes both.
 */
export async function amqpBroker(exchange: string, remove: boolean): Promise<BenchBroker> {
  const connection = await amqplib.connect(AMQP_URL, { timeout: 10_000 });
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertQueue(exchange, { durable: true });
  await channel.bindQueue(exchange, exchange, '#');
  return {
    async publish(message, count, window) {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const m = message(next++);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(attributes(m.id, m.type, m.time)))
            headers[`cloudEvents_${name}`] = value;
          await new Promise<void>((resolve, reject) => {
            channel.publish(
              exchange,
              m.type,
              m.body,
              { persistent: true, messageId: m.id, contentType: 'application/json', headers },
              (error) => (error ? reject(new Error('nacked by the broker')) : resolve()),
            );
          });
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    },
    count: async () => (await channel.checkQueue(exchange)).messageCount,
    async close() {
      if (remove) {
        await channel.deleteQueue(exchange).catch(() => {});
        await channel.deleteExchange(exchange).catch(() => {});
      }
      await channel.close().catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}

/** POSTs to `url` signed per Standard Webhooks with `secret`, each awaiting its answer, as the receiver sends. */
export function httpPublisher(url: string, secret: string): BenchBroker['publish'] {
  return async (message, count, window) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const m = message(next++);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          ...signedHeaders({ secret, id: m.id, timestamp: Math.floor(Date.now() / 1000), body: m.body }),
        };
        for (const [name, value] of Object.entries(attributes(m.id, m.type, m.time)))
          headers[`ce-${name}`] = value;
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body: m.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel().catch(() => {});
        if (response.status !== 200) throw new Error(`the sink answered ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  };
}

/** An HTTP endpoint that counts what it takes: bench/servers/countingSink.ts in its own process. */
export async function httpSink(secret: string): Promise<BenchBroker & { url: string }> {
  const port = await freePort();
  const sink = spawnNode(join(ROOT, 'bench/servers/countingSink.ts'), [String(port)]);
  const url = `http://127.0.0.1:${port}/in`;
  await waitForHttp(url, sink);
  return {
    url,
    publish: httpPublisher(url, secret),
    count: async () => Number(await (await fetch(url)).text()),
    close: () => stop(sink),
  };
}
