// Tracing end to end, with an OpenTelemetry SDK installed by this test (an in-memory exporter, the
// AsyncLocalStorage context manager and the W3C propagator): a real receiver on an SQLite file,
// forwarding to NATS JetStream and RabbitMQ on 127.0.0.1 (a stream and an exchange of its own,
// removed afterwards) and to a local HTTP endpoint.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { deliver, eventually, type LocalServer, listenLocally } from '@webhook-contracts/test-kit';
import amqp from 'amqplib';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReceiver, type Receiver } from '../createReceiver.js';
import { StoreError } from '../errors.js';
import { AmqpDestination } from '../forwarding/amqp/AmqpDestination.js';
import type { Destination } from '../forwarding/Destination.js';
import { HttpDestination } from '../forwarding/http/HttpDestination.js';
import { NatsDestination } from '../forwarding/nats/NatsDestination.js';
import type { EventHandlers } from '../processing/EventHandlers.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { signedRequest, testSecret } from '../test-support/signedRequest.js';
import { parseTraceparent, ReceiveSpan, tracerName, tracerVersion } from './index.js';

const natsUrl = process.env.NATS_URL_TEST ?? 'nats://127.0.0.1:4222';
const amqpUrl = process.env.AMQP_URL_TEST ?? 'amqp://guest:guest@127.0.0.1:5672';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  trace.disable();
  context.disable();
  propagation.disable();
  await provider.shutdown();
});

/** The finished spans named `name` whose `webhook.id` is `id`. */
function spans(name: string, id: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name && s.attributes['webhook.id'] === id);
}

/** The one finished span named `name` of the delivery `id`, waited for. */
function oneSpan(name: string, id: string): Promise<ReadableSpan> {
  return eventually(`the ${name} span of ${id}`, () => {
    const found = spans(name, id);
    if (found.length > 1) throw new Error(`${found.length} ${name} spans for ${id}`);
    return found[0];
  });
}

/** The finished receive span of a request refused before it was verified (no webhook id). */
function unverifiedReceiveSpans(): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((s) => s.name === 'webhook receive' && s.attributes['webhook.id'] === undefined);
}

interface Running {
  url: string;
  receiver: Receiver;
  store: SqliteStore;
  filename: string;
}

describe('tracing with an SDK installed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-tracing-'));
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    exporter.reset();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function start(
    options: { destinations?: Destination[]; handlers?: EventHandlers; filename?: string } = {},
  ): Promise<Running> {
    const destinations = options.destinations ?? [];
    const filename = options.filename ?? path.join(dir, `${randomBytes(4).toString('hex')}.sqlite`);
    const store = new SqliteStore({
      filename,
      outboxRoutes: destinations.map((d) => ({ destination: d.name, types: d.types })),
    });
    const receiver = createReceiver({
      store,
      secret: testSecret,
      ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
      processing: { pollIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 100 },
      ...(destinations.length === 0 ? {} : { forwarding: { destinations, idleMs: 10, retryBaseMs: 20 } }),
    });
    const server = await listenLocally(receiver);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await receiver.close();
      await store.close();
    };
    cleanups.push(stop);
    return { url: server.url, receiver, store, filename };
  }

  /** A local HTTP endpoint answering each request with the next of `statuses` (the last one after). */
  async function endpoint(...statuses: number[]): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
    const seen: IncomingHttpHeaders[] = [];
    const server: LocalServer = await listenLocally((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(req.headers);
        res.writeHead(statuses[Math.min(seen.length, statuses.length) - 1] ?? 200).end();
      });
    });
    cleanups.push(() => server.close());
    return { url: `${server.url}/in`, seen };
  }

  it('makes one trace of a delivery: receive → store, then process and one forward per destination, each message carrying its forward span as traceparent', async () => {
    const tag = randomBytes(4).toString('hex');
    const stream = `TRACE_${tag}`;
    const exchange = `trace_${tag}`;
    const nc: NatsConnection = await connect({ servers: natsUrl });
    const amqpConnection = await amqp.connect(amqpUrl);
    const channel = await amqpConnection.createChannel();
    cleanups.push(async () => {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
      await channel.deleteExchange(exchange).catch(() => {});
      await amqpConnection.close();
    });
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    const http = await endpoint(200);
    const running = await start({
      destinations: [
        new NatsDestination({
          url: natsUrl,
          stream,
          subject: `t${tag}.{type}`,
          types: null,
          timeoutMs: 5000,
        }),
        new AmqpDestination({ url: amqpUrl, exchange, types: null, timeoutMs: 5000 }),
        new HttpDestination({ url: http.url, secret: testSecret, types: null, timeoutMs: 5000 }),
      ],
    });

    const request = signedRequest();
    expect((await deliver(`${running.url}/webhooks`, request)).status).toBe(200);
    await eventually('forwarded to all three', async () => {
      const states = await running.store.outbox!.deliveriesOf(request.id);
      return states.length === 3 && states.every((s) => s.state === 'forwarded') ? states : undefined;
    });

    const receive = await oneSpan('webhook receive', request.id);
    const traceId = receive.spanContext().traceId;
    const receiveSpanId = receive.spanContext().spanId;
    expect(receive.kind).toBe(SpanKind.SERVER);
    expect(receive.parentSpanContext).toBeUndefined();
    expect(receive.instrumentationScope).toMatchObject({ name: tracerName, version: tracerVersion });
    expect(receive.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'webhook.outcome': 'accepted',
      'webhook.event_type': 'course_lesson_interaction.completed',
    });
    // Never headers, secrets or the body.
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events]));
    expect(recorded).not.toContain(request.headers['webhook-signature']!);
    expect(recorded).not.toContain(testSecret);
    expect(recorded).not.toContain(request.body.toString());

    const childOfReceive = { traceId, spanId: receiveSpanId };
    const store = await oneSpan('webhook store', request.id);
    expect(store.parentSpanContext).toMatchObject(childOfReceive);
    expect(store.spanContext().traceId).toBe(traceId);
    expect(store.attributes).toMatchObject({ 'webhook.inserted': true, 'webhook.deliveries_seen': 1 });

    const process = await oneSpan('webhook process', request.id);
    expect(process.spanContext().traceId).toBe(traceId);
    expect(process.parentSpanContext).toMatchObject(childOfReceive);
    expect(process.attributes).toMatchObject({ 'webhook.attempt': 1, 'webhook.outcome': 'processed' });
    expect(process.status.code).toBe(SpanStatusCode.UNSET);

    const forwards = await eventually('three forward spans', () => {
      const found = spans('webhook forward', request.id);
      return found.length === 3 ? found : undefined;
    });
    const forwardOf = (destination: string) =>
      forwards.find((s) => s.attributes['webhook.destination'] === destination)!;
    for (const span of forwards) {
      expect(span.kind).toBe(SpanKind.PRODUCER);
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext).toMatchObject(childOfReceive);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect(forwardOf('nats').attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': `t${tag}.course_lesson_interaction.completed`,
      'messaging.message.id': request.id,
      'messaging.operation.type': 'send',
    });
    expect(forwardOf('amqp').attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': exchange,
      'messaging.rabbitmq.destination.routing_key': 'course_lesson_interaction.completed',
      'messaging.message.id': request.id,
    });
    expect(forwardOf('http').attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
    });

    // Each message: the forward span's traceparent, in the protocol's header and the extension's.
    const expected = (destination: string) => {
      const span = forwardOf(destination).spanContext();
      return `00-${span.traceId}-${span.spanId}-01`;
    };
    const natsMessage = await (await jetstreamManager(nc)).streams.getMessage(stream, { seq: 1 });
    expect([natsMessage!.header.get('traceparent'), natsMessage!.header.get('ce-traceparent')]).toEqual([
      expected('nats'),
      expected('nats'),
    ]);
    const amqpMessage = await channel.get(queue, { noAck: true });
    expect(amqpMessage).not.toBe(false);
    const amqpHeaders = (amqpMessage as amqp.GetMessage).properties.headers ?? {};
    expect([amqpHeaders.traceparent, amqpHeaders.cloudEvents_traceparent]).toEqual([
      expected('amqp'),
      expected('amqp'),
    ]);
    expect([http.seen[0]?.traceparent, http.seen[0]?.['ce-traceparent']]).toEqual([
      expected('http'),
      expected('http'),
    ]);
    expect(parseTraceparent(http.seen[0]?.traceparent)).toMatchObject({ traceId, isRemote: true });

    // The stored traceparent is the receive span's, and is still there after the store reopens: a
    // new receiver on the file processes a replay in the same trace.
    await cleanups.pop()!();
    const file = new Database(running.filename, { readonly: true });
    const row = file
      .prepare<[string], { traceparent: string | null }>(
        'SELECT traceparent FROM webhook_events WHERE webhook_id = ?',
      )
      .get(request.id);
    file.close();
    expect(row?.traceparent).toBe(`00-${traceId}-${receiveSpanId}-01`);
    exporter.reset();
    const again = await start({ filename: running.filename });
    expect(await again.store.requeue(request.id, Date.now())).toBe(true);
    const replay = await oneSpan('webhook process', request.id);
    expect(replay.spanContext().traceId).toBe(traceId);
    expect(replay.parentSpanContext).toMatchObject({ ...childOfReceive, isRemote: true });
  });

  it("parents the receive span on a sender's traceparent only through the propagator, and ignores a malformed one", async () => {
    const running = await start();
    const senderTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent = signedRequest();
    await deliver(`${running.url}/webhooks`, sent, {
      traceparent: `00-${senderTrace}-00f067aa0ba902b7-01`,
    });
    const joined = await oneSpan('webhook receive', sent.id);
    expect(joined.spanContext().traceId).toBe(senderTrace);
    expect(joined.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });

    for (const malformed of [
      `00-${senderTrace.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${senderTrace}-00f067aa0ba902b7-01-extra`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `zz-${senderTrace}-00f067aa0ba902b7-01`,
      'not a traceparent',
    ]) {
      const request = signedRequest();
      expect((await deliver(`${running.url}/webhooks`, request, { traceparent: malformed })).status).toBe(
        200,
      );
      const receive = await oneSpan('webhook receive', request.id);
      expect(receive.parentSpanContext, malformed).toBeUndefined();
      expect(receive.spanContext().traceId).not.toBe(senderTrace);
      const process = await oneSpan('webhook process', request.id);
      expect(process.spanContext().traceId).toBe(receive.spanContext().traceId);
    }
  });

  it('makes the receive span a child of the span active when the application traces HTTP itself', () => {
    const http = trace.getTracer('app-http').startSpan('POST /webhooks', { kind: SpanKind.SERVER });
    const receive = context.with(trace.setSpan(context.active(), http), () =>
      // The header names another trace: the active span wins.
      ReceiveSpan.start({ traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` }),
    );
    receive.answered({ status: 200, outcome: 'accepted' });
    http.end();
    const [recorded] = exporter.getFinishedSpans().filter((s) => s.name === 'webhook receive');
    expect(recorded!.parentSpanContext).toMatchObject({
      traceId: http.spanContext().traceId,
      spanId: http.spanContext().spanId,
    });
  });

  it('records a refusal on the receive span without the webhook id, and a 5xx as an error', async () => {
    const running = await start();
    const forged = signedRequest({ secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect((await deliver(`${running.url}/webhooks`, forged)).status).toBe(401);
    const [refused] = await eventually('the refused delivery span', () => {
      const found = unverifiedReceiveSpans();
      return found.length === 1 ? found : undefined;
    });
    expect(refused!.attributes).toMatchObject({
      'http.response.status_code': 401,
      'webhook.outcome': 'rejected_signature',
    });
    expect(refused!.status.code).toBe(SpanStatusCode.UNSET);

    vi.spyOn(running.store, 'insertDelivery').mockRejectedValueOnce(
      new StoreError(
        'store_unavailable',
        'PostgreSQL store error: connect to postgres://app:hunter2@db:5432/x refused\u0000',
      ),
    );
    const request = signedRequest();
    expect((await deliver(`${running.url}/webhooks`, request)).status).toBe(503);
    const store = await oneSpan('webhook store', request.id);
    expect(store.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'PostgreSQL store error: connect to postgres://***@db:5432/x refused ',
    });
    expect(store.events.map((e) => e.attributes?.['exception.message'])).toEqual([store.status.message]);
    expect(JSON.stringify(store.events)).not.toContain('hunter2');
    const receive = await oneSpan('webhook receive', request.id);
    expect(receive.attributes).toMatchObject({
      'http.response.status_code': 503,
      'webhook.outcome': 'store_unavailable',
    });
    expect(receive.status).toEqual({ code: SpanStatusCode.ERROR, message: 'store_unavailable' });
    // Nothing was stored: the row the sender's retry makes keeps that retry's trace.
    expect(await running.store.getEvent(request.id)).toBeNull();
  });

  it('marks a failed handling attempt and a failed publish as errors, each attempt a span of the same trace', async () => {
    let calls = 0;
    const http = await endpoint(500, 200);
    const running = await start({
      destinations: [
        new HttpDestination({ url: http.url, secret: testSecret, types: null, timeoutMs: 5000 }),
      ],
      handlers: {
        'course_lesson_interaction.completed': async () => {
          calls++;
          if (calls === 1) throw new Error('lost https://svc:t0ken@internal.example/x');
          return {};
        },
      },
    });
    const request = signedRequest();
    await deliver(`${running.url}/webhooks`, request);
    const traceId = (await oneSpan('webhook receive', request.id)).spanContext().traceId;

    const attempts = await eventually('two process spans', () => {
      const found = spans('webhook process', request.id);
      return found.length === 2
        ? found.sort(
            (a, b) => Number(a.attributes['webhook.attempt']) - Number(b.attributes['webhook.attempt']),
          )
        : undefined;
    });
    expect(attempts.map((s) => s.spanContext().traceId)).toEqual([traceId, traceId]);
    expect(attempts.map((s) => [s.attributes['webhook.attempt'], s.attributes['webhook.outcome']])).toEqual([
      [1, 'failed'],
      [2, 'processed'],
    ]);
    expect(attempts[0]!.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'lost https://***@internal.example/x',
    });
    expect(attempts[1]!.status.code).toBe(SpanStatusCode.UNSET);

    const forwards = await eventually('two forward spans', () => {
      const found = spans('webhook forward', request.id);
      return found.length === 2
        ? found.sort(
            (a, b) =>
              Number(a.attributes['webhook.forward.attempt']) -
              Number(b.attributes['webhook.forward.attempt']),
          )
        : undefined;
    });
    expect(forwards.map((s) => s.spanContext().traceId)).toEqual([traceId, traceId]);
    expect(forwards.map((s) => s.status)).toEqual([
      { code: SpanStatusCode.ERROR, message: 'HTTP 500 from the endpoint' },
      { code: SpanStatusCode.UNSET },
    ]);
    // Each attempt's request carried its own span's traceparent.
    expect(http.seen.map((h) => h.traceparent)).toEqual(
      forwards.map((s) => `00-${traceId}-${s.spanContext().spanId}-01`),
    );
  });
});
