// The example consumers (contracts/consumers/) against the built receiver forwarding to the
// machine's NATS JetStream and RabbitMQ and to the HTTP consumer: events of every type and one of
// an unknown type, each delivered twice to the receiver; each consumer's handler fails the first
// try of one event (so it comes again) and one event is forwarded a second time on request (so a
// real duplicate reaches every consumer). Each consumer must handle every event exactly once, with
// the CloudEvents attributes of its message, and reject a message, published straight to it, whose
// body breaks the contract. Stream, exchange and queues are this file's own and removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { ErrorBody } from '@webhook-contracts/schema';
import {
  deliver,
  eventually,
  type LocalServer,
  listenLocally,
  type RunningProgram,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { signedDelivery } from '@webhook-contracts/webhooks';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmqpConsumer } from '../consumers/amqpConsumer.js';
import { httpConsumer } from '../consumers/httpConsumer.js';
import { startNatsConsumer } from '../consumers/natsConsumer.js';
import { BoundedSeenIds } from '../consumers/SeenIds.js';
import { exampleFiles, examplesDir } from '../scripts/exampleFiles.js';
import { ConsumerRecorder } from './support/consumerRecorder.js';

const natsUrl = process.env['NATS_URL_TEST'] ?? 'nats://127.0.0.1:4222';
const amqpUrl = process.env['AMQP_URL_TEST'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const secret = 'whsec_Y29uc3VtZXJzLXRlc3Qtd2ViaG9vay1zZWNyZXQ=';
const forwardSecret = 'whsec_Y29uc3VtZXJzLXRlc3QtZm9yd2FyZC1zZWNyZXQ=';
const apiToken = 'contracts-consumers-token';
const tag = randomBytes(4).toString('hex');
const stream = `CONS_${tag}`;
const prefix = `cons${tag}`;
const exchange = `cons_${tag}`;
const queue = `cons_${tag}_service`;
/** The stream's duplicate window: short, so a re-forward after it reaches the consumer. */
const duplicateWindowMs = 1000;
const dir = mkdtempSync(join(tmpdir(), 'contracts-consumers-'));

/** One valid example of every type in the catalog, and an event of a type it does not know. */
const payloads = exampleFiles()
  .filter((f) => f.file === 'valid.example.json' || f.file === 'unknown.payout.created.json')
  .map((f) => readFileSync(f.path));
const deliveries = payloads.map((body) => signedDelivery({ secret, payload: body }));
const sentIds = deliveries.map((d) => d.id).sort();
const failsFirst = deliveries[3]!.id;
const forwardedTwice = deliveries[5]!.id;
const invalidBody = readFileSync(join(examplesDir, 'payment.succeeded', 'invalid.total-is-a-string.json'));

const recorders = {
  nats: new ConsumerRecorder([failsFirst]),
  amqp: new ConsumerRecorder([failsFirst]),
  http: new ConsumerRecorder([failsFirst]),
};
type Kind = keyof typeof recorders;
const kinds = Object.keys(recorders) as Kind[];

let nc: NatsConnection;
let amqpConnection: amqp.ChannelModel;
let receiver: RunningProgram | undefined;
let httpServer: LocalServer | undefined;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  amqpConnection = await amqp.connect(amqpUrl);
  // The receiver uses an existing stream as it is: this one forgets a message id after 1 s.
  await (await jetstreamManager(nc)).streams.add({
    name: stream,
    subjects: [`${prefix}.>`],
    duplicate_window: nanos(duplicateWindowMs),
  });
  const common = { retryDelayMs: 200 };
  const nats = await startNatsConsumer({
    ...common,
    servers: natsUrl,
    stream,
    durable: 'consumers-test',
    filterSubject: `${prefix}.>`,
    ...bind(recorders.nats),
  });
  const rabbit = await startAmqpConsumer({
    ...common,
    url: amqpUrl,
    exchange,
    queue,
    bindingKeys: ['#'],
    ...bind(recorders.amqp),
  });
  httpServer = await listenLocally(httpConsumer({ secret: forwardSecret, ...bind(recorders.http) }));
  // `closed` must resolve once the consumer's connection is gone.
  stops.push(nats.stop, () => rabbit.stop().then(() => rabbit.closed), httpServer.close);

  receiver = await startBuiltReceiver({
    WEBHOOK_SECRET: secret,
    DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
    RECEIVER_API_TOKEN: apiToken,
    FORWARD_NATS_URL: natsUrl,
    FORWARD_NATS_STREAM: stream,
    FORWARD_NATS_SUBJECT: `${prefix}.{type}`,
    FORWARD_AMQP_URL: amqpUrl,
    FORWARD_AMQP_EXCHANGE: exchange,
    FORWARD_HTTP_URL: `${httpServer.url}/`,
    FORWARD_HTTP_SECRET: forwardSecret,
    FORWARD_TIMEOUT_MS: '5000',
  });
  // Every delivery twice, as a sender retrying after a lost answer would: the receiver keeps one.
  for (const d of [...deliveries, ...deliveries]) {
    const answer = await deliver(`${receiver.url}/webhooks`, d);
    expect(answer.status, answer.text).toBe(200);
  }
  await everyConsumer('has handled every event', (r) => r.handled.length >= deliveries.length);

  // Past the stream's duplicate window, a second forward is a second message at every destination.
  await new Promise((resolve) => setTimeout(resolve, duplicateWindowMs + 100));
  const res = await fetch(`${receiver.url}/events/${forwardedTwice}/forward`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}` },
  });
  expect(res.status).toBe(202);
  await everyConsumer('caught the second forward as a duplicate', (r) =>
    r.seen.hits.includes(forwardedTwice),
  );
}, 120_000);

afterAll(async () => {
  await receiver?.stop();
  for (const stop of stops) await stop();
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
  await nc.close();
  const channel = await amqpConnection.createChannel();
  for (const q of [queue, `${queue}.invalid`]) await channel.deleteQueue(q).catch(() => {});
  await channel.deleteExchange(exchange).catch(() => {});
  await amqpConnection.close();
  rmSync(dir, { recursive: true, force: true });
});

function bind(r: ConsumerRecorder) {
  return { seen: r.seen, handle: r.handle, onRejected: r.onRejected };
}

async function everyConsumer(what: string, done: (r: ConsumerRecorder) => boolean): Promise<void> {
  for (const kind of kinds) {
    await eventually(
      `the ${kind} consumer ${what}`,
      () => (done(recorders[kind]) ? true : undefined),
      30_000,
    );
  }
}

describe('the example consumers, fed by the receiver', () => {
  it.each(kinds)(
    '%s: handles every event exactly once, through a failed first try and a re-forward',
    (kind) => {
      const r = recorders[kind];
      expect(r.handledIds()).toEqual(sentIds);
      expect(r.calls.get(failsFirst)).toBe(2);
      expect(r.seen.hits).toContain(forwardedTwice);
      expect(r.rejected).toEqual([]);
    },
  );

  it.each(kinds)('%s: reads the CloudEvents attributes of each message and the validated body', (kind) => {
    for (const e of recorders[kind].handled) {
      const body = JSON.parse(payloads[deliveries.findIndex((d) => d.id === e.id)]!.toString()) as {
        type: string;
        timestamp: string;
      };
      expect(e.cloudEvent).toEqual({
        type: body.type,
        source: 'https://whop.com/webhooks',
        time: body.timestamp,
        specversion: '1.0',
      });
      expect(e.payload.kind === 'event' ? e.payload.event.type : e.payload.type).toBe(body.type);
    }
    const unknown = recorders[kind].handled.filter((e) => e.payload.kind === 'unknown_event');
    expect(unknown.map((e) => e.cloudEvent.type)).toEqual(['payout.created']);
  });
});

describe('a message whose body breaks the contract, published straight to the consumer', () => {
  it('nats: is terminated and reported, never handled', async () => {
    const h = headers();
    h.set('ce-type', 'payment.succeeded');
    await jetstream(nc).publish(`${prefix}.payment.succeeded`, invalidBody, {
      msgID: 'msg_invalid_nats',
      headers: h,
    });
    const [rejection] = await eventually('the rejection', () => rejectionOf('nats', 'msg_invalid_nats'));
    expect(rejection.reason).toContain('/data/total');
    // Terminated, not left pending: the server will not deliver it again.
    const jsm = await jetstreamManager(nc);
    await eventually('nothing pending at the consumer', async () => {
      const info = await jsm.consumers.info(stream, 'consumers-test');
      return info.num_ack_pending === 0 && info.num_pending === 0 ? true : undefined;
    });
    expect(recorders.nats.rejected.map((r) => r.id)).toEqual(['msg_invalid_nats']);
  });

  it('amqp: is dead-lettered to <queue>.invalid and reported, never handled', async () => {
    const channel = await amqpConnection.createConfirmChannel();
    channel.publish(exchange, 'payment.succeeded', invalidBody, {
      messageId: 'msg_invalid_amqp',
      persistent: true,
    });
    await channel.waitForConfirms();
    const [rejection] = await eventually('the rejection', () => rejectionOf('amqp', 'msg_invalid_amqp'));
    expect(rejection.reason).toContain('/data/total');
    const dead = await eventually(
      'the dead letter',
      async () => (await channel.get(`${queue}.invalid`, { noAck: true })) || undefined,
    );
    expect([dead.properties.messageId, dead.content.equals(invalidBody)]).toEqual(['msg_invalid_amqp', true]);
    await channel.close();
  });

  it('http: is answered 422 contract_violation and reported, never handled; an unsigned one 401', async () => {
    const signed = signedDelivery({ secret: forwardSecret, payload: invalidBody, id: 'msg_invalid_http' });
    const answer = await deliver(`${httpServer!.url}/`, signed);
    expect(answer.status).toBe(422);
    expect((JSON.parse(answer.text) as ErrorBody).error.code).toBe('contract_violation');
    const [rejection] = await eventually('the rejection', () => rejectionOf('http', 'msg_invalid_http'));
    expect(rejection.reason).toContain('/data/total');
    const forged = signedDelivery({ secret, payload: payloads[0]!, id: 'msg_forged' });
    const refused = await deliver(`${httpServer!.url}/`, forged);
    expect([refused.status, (JSON.parse(refused.text) as ErrorBody).error.code]).toEqual([
      401,
      'no_matching_signature',
    ]);
    expect(recorders.http.calls.has('msg_forged')).toBe(false);
  });

  it('http: answers a body over 1 MiB 413 body_too_large, unread', async () => {
    const big = signedDelivery({ secret: forwardSecret, payload: Buffer.alloc(1024 * 1024 + 1, 32) });
    const answer = await deliver(`${httpServer!.url}/`, big);
    expect([answer.status, (JSON.parse(answer.text) as ErrorBody).error.code]).toEqual([
      413,
      'body_too_large',
    ]);
    expect(recorders.http.rejected.map((r) => r.id)).toEqual(['msg_invalid_http']);
  });

  it('none of them reaches a handler', () => {
    for (const kind of kinds) expect(recorders[kind].handledIds()).toEqual(sentIds);
  });
});

describe('the HTTP consumer on its own', () => {
  it('answers 409 in_progress to a second request for an id still being handled, then 204 once it is', async () => {
    let release = () => {};
    const handling = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reach = () => {};
    const reached = new Promise<void>((resolve) => {
      reach = resolve;
    });
    const seen = new BoundedSeenIds();
    const handle = () => {
      reach();
      return handling;
    };
    const local = await listenLocally(
      httpConsumer({ secret: forwardSecret, seen, handle, onRejected: () => {} }),
    );
    try {
      const signed = signedDelivery({ secret: forwardSecret, payload: payloads[0]! });
      const first = deliver(`${local.url}/`, signed);
      await reached;
      const second = await deliver(`${local.url}/`, signed);
      expect([second.status, (JSON.parse(second.text) as ErrorBody).error.code]).toEqual([
        409,
        'in_progress',
      ]);
      release();
      expect((await first).status).toBe(204);
      expect(await seen.has(signed.id)).toBe(true);
      expect((await deliver(`${local.url}/`, signed)).status).toBe(204);
    } finally {
      release();
      await local.close();
    }
  });
});

describe('BoundedSeenIds, the example dedupe store', () => {
  it('remembers the last ids up to its limit, forgetting the oldest first', async () => {
    const seen = new BoundedSeenIds(2);
    for (const id of ['a', 'b', 'c']) await seen.add(id);
    expect([await seen.has('a'), await seen.has('b'), await seen.has('c')]).toEqual([false, true, true]);
  });

  it('refuses a limit that is not a whole number from 1 to 10 000 000', () => {
    for (const limit of [0, 1.5, 10_000_001, Number.NaN]) {
      expect(() => new BoundedSeenIds(limit)).toThrow(/limit must be an integer from 1 to 10000000/);
    }
  });
});

function rejectionOf(kind: Kind, id: string) {
  const found = recorders[kind].rejected.filter((r) => r.id === id);
  return found.length > 0 ? (found as [(typeof found)[0]]) : undefined;
}
