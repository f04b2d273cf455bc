// The forwarding benchmark's baseline, run as its own process like the receiver it is compared
// with: a bare publish loop with the receiver's client, message (the docs example, the same
// CloudEvents attributes and message id) and confirm semantics (each publish awaits its PubAck or
// confirm or HTTP answer, `--window` at once). Prints nothing; the benchmark counts at the broker.
import { randomBytes } from 'node:crypto';
import { amqpBroker, type BenchBroker, httpPublisher, natsBroker } from './support/brokers.js';
import { BENCH_SECRET, docsExampleBody } from './support/fixtures.js';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? undefined : process.argv[i + 1];
  if (value === undefined)
    throw new Error(
      'usage: barePublish.ts --kind nats|amqp|http --name STREAM_OR_EXCHANGE_OR_URL [--prefix P] --count N --window W',
    );
  return value;
}

async function main(): Promise<void> {
  const kind = arg('--kind');
  const count = Number(arg('--count'));
  const window = Number(arg('--window'));
  const broker: Pick<BenchBroker, 'publish' | 'close'> =
    kind === 'nats'
      ? await natsBroker(arg('--name'), arg('--prefix'), false)
      : kind === 'amqp'
        ? await amqpBroker(arg('--name'), false)
        : { publish: httpPublisher(arg('--name'), BENCH_SECRET), close: async () => {} };
  const body = docsExampleBody();
  const { type, timestamp } = JSON.parse(body.toString('utf8')) as { type: string; timestamp: string };
  const tag = randomBytes(6).toString('hex');
  try {
    await broker.publish((i) => ({ id: `bare_${tag}${i}`, type, time: timestamp, body }), count, window);
  } finally {
    await broker.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
