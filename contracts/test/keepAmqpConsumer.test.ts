// keepAmqpConsumer against the machine's RabbitMQ: a consumer whose connection the broker closes
// (`rabbitmqctl close_connection`, as a broker restart or a network loss would) is started again
// and handles what is published afterwards, and a message left unacked on the lost connection is
// handled once; a broker that cannot be reached is retried with growing pauses until stop().
// Exchange and queues are this file's own and removed afterwards.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@webhook-contracts/test-kit';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAmqpConsumer } from '../consumers/keepAmqpConsumer.js';
import { examplesDir } from '../scripts/exampleFiles.js';
import { ConsumerRecorder } from './support/consumerRecorder.js';

const run = promisify(execFile);
const amqpUrl = process.env['AMQP_URL_TEST'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const tag = randomBytes(4).toString('hex');
const exchange = `keep_${tag}`;
const queue = `keep_${tag}_service`;
const connectionName = `keep-amqp-consumer-test-${tag}`;
const body = readFileSync(join(examplesDir, 'payment.succeeded', 'valid.example.json'));

let connection: amqp.ChannelModel;
let publisher: amqp.ConfirmChannel;

beforeAll(async () => {
  connection = await amqp.connect(amqpUrl);
  publisher = await connection.createConfirmChannel();
  await publisher.assertExchange(exchange, 'topic', { durable: true });
});

afterAll(async () => {
  for (const q of [queue, `${queue}.invalid`]) await publisher.deleteQueue(q).catch(() => {});
  await publisher.deleteExchange(exchange).catch(() => {});
  await connection.close();
});

async function publish(id: string): Promise<void> {
  publisher.publish(exchange, 'payment.succeeded', body, { messageId: id, persistent: true });
  await publisher.waitForConfirms();
}

/** The broker's process ids of the connections named `name`. */
async function connectionsNamed(name: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    '--no-table-headers',
    'pid',
    'client_properties',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split('\t')[0]!);
}

describe('keepAmqpConsumer', () => {
  it('starts a new consumer when the broker closes the connection, and loses nothing', async () => {
    const recorder = new ConsumerRecorder([]);
    const restarts: unknown[] = [];
    // The handler of the first message holds it unacked until the connection is gone.
    let releaseHeld: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      releaseHeld = resolve;
    });
    const kept = keepAmqpConsumer(
      {
        url: amqpUrl,
        exchange,
        queue,
        bindingKeys: ['#'],
        connectionName,
        seen: recorder.seen,
        onRejected: recorder.onRejected,
        retryDelayMs: 100,
        handle: async (event) => {
          if (event.id === 'msg_keep_held' && (recorder.calls.get(event.id) ?? 0) === 0) {
            recorder.calls.set(event.id, 1);
            await held;
            throw new Error('the connection was lost while handling');
          }
          await recorder.handle(event);
        },
      },
      { initialDelayMs: 50, maxDelayMs: 400, onRestart: (_attempt, error) => restarts.push(error) },
    );
    try {
      await kept.ready;
      await publish('msg_keep_before');
      await eventually('the first event handled', () =>
        recorder.handledIds().includes('msg_keep_before') ? true : undefined,
      );
      await publish('msg_keep_held');
      await eventually('the held event being handled', () =>
        recorder.calls.get('msg_keep_held') === 1 ? true : undefined,
      );

      const [first] = await connectionsNamed(connectionName);
      expect(first, 'the consumer names its connection').toBeDefined();
      await run('rabbitmqctl', ['-q', 'close_connection', first!, 'keepAmqpConsumer test']);
      releaseHeld();
      const [second] = await eventually('a new connection', async () => {
        const now = await connectionsNamed(connectionName);
        return now.length === 1 && now[0] !== first ? now : undefined;
      });
      expect(second).not.toBe(first);
      expect(restarts).toEqual([undefined]); // one restart, after a loss rather than a failed start

      await publish('msg_keep_after');
      await eventually('every event handled', () => (recorder.handledIds().length === 3 ? true : undefined));
      expect(recorder.handledIds()).toEqual(['msg_keep_after', 'msg_keep_before', 'msg_keep_held']);
    } finally {
      await kept.stop();
    }
    expect(await connectionsNamed(connectionName)).toEqual([]);
  }, 60_000);

  it('retries a broker it cannot reach with growing pauses, and stop() ends it', async () => {
    const attempts: number[] = [];
    const at: number[] = [];
    const recorder = new ConsumerRecorder([]);
    const kept = keepAmqpConsumer(
      {
        url: 'amqp://guest:guest@127.0.0.1:1', // nothing listens on port 1
        exchange,
        queue: `${queue}_unreached`,
        bindingKeys: ['#'],
        seen: recorder.seen,
        onRejected: recorder.onRejected,
        handle: recorder.handle,
      },
      {
        initialDelayMs: 40,
        maxDelayMs: 160,
        onRestart: (attempt, error) => {
          expect(error).toBeInstanceOf(Error);
          attempts.push(attempt);
          at.push(Date.now());
        },
      },
    );
    await eventually('five failed starts', () => (attempts.length >= 5 ? true : undefined));
    await kept.stop();
    await expect(kept.ready).rejects.toThrow(/stopped before the first consumer started/);
    const stoppedAt = attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(attempts.length, 'no attempt after stop()').toBe(stoppedAt);
    expect(attempts.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    // Pauses are jittered into [delay/2, delay]: 40, 80, 160, 160 ms → at least 20, 40, 80, 80.
    const gaps = at.slice(1, 5).map((t, i) => t - at[i]!);
    expect(gaps[2]! + gaps[3]!, `pauses ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(160);
    expect(Math.max(...gaps), `pauses ${gaps.join(', ')} ms`).toBeLessThan(5_000);
  }, 30_000);
});
