// Against the NATS server with JetStream on 127.0.0.1:4222, in a stream of its own per test.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardMessage } from '../Destination.js';
import { NatsDestination, natsDuplicateWindowMs } from './NatsDestination.js';

const url = process.env.NATS_URL_TEST ?? 'nats://127.0.0.1:4222';

describe('NatsDestination', () => {
  let nc: NatsConnection;
  let stream: string;
  let prefix: string;
  let destination: NatsDestination | undefined;

  beforeEach(async () => {
    nc = await connect({ servers: url });
    const tag = randomBytes(4).toString('hex');
    stream = `T_${tag}`;
    prefix = `t${tag}`;
  });
  afterEach(async () => {
    await destination?.close();
    destination = undefined;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  });

  /** This test's destination: its stream, subjects under its prefix. */
  const ownDestination = () =>
    new NatsDestination({ url, stream, subject: `${prefix}.{type}`, types: null, timeoutMs: 5000 });

  const body = Buffer.from(
    '{"id":"evt_1","type":"membership.went_valid","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
  );

  it('creates the stream, publishes the exact bytes with the webhook-id as Nats-Msg-Id and CloudEvents headers, and counts a repeat as a duplicate ack', async () => {
    destination = ownDestination();
    const message = forwardMessage({ webhookId: 'msg_nats_1', type: 'membership.went_valid', body });
    expect(await destination.publish(message)).toEqual({ ok: true, duplicate: false });
    expect(await destination.publish(message)).toEqual({ ok: true, duplicate: true });

    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    expect(info.config.duplicate_window).toBe(natsDuplicateWindowMs * 1_000_000);
    expect(info.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(stored?.subject).toBe(`${prefix}.membership.went_valid`);
    expect(Buffer.from(stored!.data).equals(body)).toBe(true);
    const h = stored!.header;
    expect(h.get('Nats-Msg-Id')).toBe('msg_nats_1');
    expect({
      id: h.get('ce-id'),
      type: h.get('ce-type'),
      source: h.get('ce-source'),
      time: h.get('ce-time'),
      specversion: h.get('ce-specversion'),
      contentType: h.get('content-type'),
    }).toEqual({
      id: 'msg_nats_1',
      type: 'membership.went_valid',
      source: 'https://whop.com/webhooks',
      time: '2026-01-01T00:00:00.000Z',
      specversion: '1.0',
      contentType: 'application/json',
    });
  });

  it('uses an existing stream as it is', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`, `other${prefix}`], max_msgs: 50 });
    destination = ownDestination();
    await destination.connect();
    const info = await jsm.streams.info(stream);
    expect([info.config.subjects, info.config.max_msgs]).toEqual([[`${prefix}.>`, `other${prefix}`], 50]);
  });

  it('refuses for good a type that makes no subject, and reports an unreachable server as a failure', async () => {
    destination = ownDestination();
    const bad = await destination.publish(forwardMessage({ webhookId: 'msg_2', type: 'has space', body }));
    expect(bad).toMatchObject({ ok: false, stop: true });
    const down = new NatsDestination({
      url: 'nats://127.0.0.1:1',
      stream,
      subject: `${prefix}.{type}`,
      types: null,
      timeoutMs: 500,
    });
    await expect(down.connect()).rejects.toThrow();
    expect(await down.publish(forwardMessage({ webhookId: 'msg_3', type: 'a.b', body }))).toMatchObject({
      ok: false,
    });
    await down.close();
  });
});
