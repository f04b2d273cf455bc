// Tracing with no SDK in the process (the default): nothing is recorded or stored, forwarding
// works as ever, and an event whose traceparent was stored by a traced instance still carries it
// to its consumers. Forwards to NATS JetStream on 127.0.0.1 (a stream of its own, removed) and to
// a local HTTP endpoint.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { deliver, eventually, listenLocally } from '@webhook-contracts/test-kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver } from '../createReceiver.js';
import { HttpDestination } from '../forwarding/http/HttpDestination.js';
import { NatsDestination } from '../forwarding/nats/NatsDestination.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { completedEvent, signedRequest, testSecret } from '../test-support/signedRequest.js';
import { receiverTracer } from './index.js';

const natsUrl = process.env.NATS_URL_TEST ?? 'nats://127.0.0.1:4222';

describe('tracing without an SDK', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('records and stores nothing, forwards as ever, and forwards a traceparent a traced instance stored', async () => {
    expect(receiverTracer().startSpan('probe').isRecording()).toBe(false);

    const tag = randomBytes(4).toString('hex');
    const stream = `NOSDK_${tag}`;
    const nc = await connect({ servers: natsUrl });
    cleanups.push(async () => {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
    });
    const seen: IncomingHttpHeaders[] = [];
    const endpoint = await listenLocally((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(req.headers);
        res.writeHead(204).end();
      });
    });
    cleanups.push(() => endpoint.close());
    const destinations = [
      new NatsDestination({ url: natsUrl, stream, subject: `n${tag}.{type}`, types: null, timeoutMs: 5000 }),
      new HttpDestination({ url: `${endpoint.url}/in`, secret: testSecret, types: null, timeoutMs: 5000 }),
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-no-sdk-'));
    const filename = path.join(dir, 'r.sqlite');
    const store = new SqliteStore({
      filename,
      outboxRoutes: destinations.map((d) => ({ destination: d.name, types: null })),
    });
    const receiver = createReceiver({
      store,
      secret: testSecret,
      processing: { pollIntervalMs: 20 },
      forwarding: { destinations, idleMs: 10 },
    });
    const server = await listenLocally(receiver);
    cleanups.push(async () => {
      await server.close();
      await receiver.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const forwarded = (id: string) =>
      eventually(`${id} forwarded to both`, async () => {
        const states = await store.outbox!.deliveriesOf(id);
        return states.length === 2 && states.every((s) => s.state === 'forwarded') ? states : undefined;
      });

    // A sender's traceparent is not trusted without the application's propagator.
    const request = signedRequest();
    const sent = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
    expect((await deliver(`${server.url}/webhooks`, request, { traceparent: sent })).status).toBe(200);
    await forwarded(request.id);
    const jsm = await jetstreamManager(nc);
    const plain = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(plain!.header.get('ce-id')).toBe(request.id);
    expect([plain!.header.has('traceparent'), plain!.header.has('ce-traceparent')]).toEqual([false, false]);
    expect(seen[0]?.['webhook-id']).toBe(request.id);
    expect([seen[0]?.traceparent, seen[0]?.['ce-traceparent']]).toEqual([undefined, undefined]);

    // An event a traced instance stored (same database, a restart without the SDK): its
    // traceparent goes on to the consumers, so their spans still join the delivery's trace.
    const stored = `00-${'12'.repeat(16)}-${'34'.repeat(8)}-01`;
    const traced = completedEvent();
    await store.insertDelivery({
      webhookId: String(traced.id),
      type: 'course_lesson_interaction.completed',
      status: 'received',
      body: Buffer.from(JSON.stringify(traced)),
      headers: {},
      errors: null,
      receivedAt: Date.now(),
      traceparent: stored,
    });
    await forwarded(String(traced.id));
    const carried = await jsm.streams.getMessage(stream, { seq: 2 });
    expect([carried!.header.get('traceparent'), carried!.header.get('ce-traceparent')]).toEqual([
      stored,
      stored,
    ]);
    expect([seen[1]?.traceparent, seen[1]?.['ce-traceparent']]).toEqual([stored, stored]);

    const file = new Database(filename, { readonly: true });
    const rows = file.prepare('SELECT webhook_id, traceparent FROM webhook_events ORDER BY seq').all() as {
      webhook_id: string;
      traceparent: string | null;
    }[];
    file.close();
    expect(rows).toEqual([
      { webhook_id: request.id, traceparent: null },
      { webhook_id: String(traced.id), traceparent: stored },
    ]);
  });
});
