// Against RabbitMQ on 127.0.0.1:5672 (guest/guest), with an exchange and a queue of its own per test.
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardMessage } from '../Destination.js';
import { AmqpDestination } from './AmqpDestination.js';

const url = process.env.AMQP_URL_TEST ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('AmqpDestination', () => {
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;
  let exchange: string;
  let destination: AmqpDestination | undefined;

  beforeEach(async () => {
    connection = await amqp.connect(url);
    channel = await connection.createChannel();
    exchange = `t_${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    await destination?.close();
    destination = undefined;
    await channel.deleteExchange(exchange).catch(() => {});
    await connection.close();
  });

  const body = Buffer.from(
    '{"id":"evt_1","type":"payment.succeeded","timestamp":"2026-02-03T04:05:06.000Z","data":{}}',
  );

  it('declares a durable topic exchange and publishes a persistent, confirmed message: exact bytes, routing key = type, message_id = webhook-id, CloudEvents properties', async () => {
    destination = new AmqpDestination({ url, exchange, types: null, timeoutMs: 5000 });
    await destination.connect();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, 'payment.*');
    const result = await destination.publish(
      forwardMessage({ webhookId: 'msg_amqp_1', type: 'payment.succeeded', body }),
    );
    expect(result).toEqual({ ok: true, duplicate: false });
    const got = await channel.get(queue, { noAck: true });
    expect(got).not.toBe(false);
    if (got === false) return;
    expect(got.content.equals(body)).toBe(true);
    expect(got.fields.routingKey).toBe('payment.succeeded');
    expect(got.fields.exchange).toBe(exchange);
    expect(got.properties.messageId).toBe('msg_amqp_1');
    expect(got.properties.deliveryMode).toBe(2);
    expect(got.properties.contentType).toBe('application/json');
    expect(got.properties.headers).toEqual({
      cloudEvents_id: 'msg_amqp_1',
      cloudEvents_type: 'payment.succeeded',
      cloudEvents_source: 'https://whop.com/webhooks',
      cloudEvents_time: '2026-02-03T04:05:06.000Z',
      cloudEvents_specversion: '1.0',
    });
    const declared = await channel.checkExchange(exchange);
    expect(declared).toBeDefined();
  });

  it('reports an unreachable broker as a failure, with no credentials in the error', async () => {
    destination = new AmqpDestination({
      url: 'amqp://guest:s3cret@127.0.0.1:1',
      exchange,
      types: null,
      timeoutMs: 500,
    });
    const result = await destination.publish(forwardMessage({ webhookId: 'msg_2', type: 'a.b', body }));
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  it('opens a new connection after the broker closed the last one', async () => {
    destination = new AmqpDestination({ url, exchange, types: null, timeoutMs: 5000 });
    await destination.connect();
    // The broker ends every connection named by this test's client: as a broker restart would.
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    await (destination as unknown as { opening: Promise<{ connection: amqp.ChannelModel }> }).opening.then(
      (o) => o.connection.close(),
    );
    const result = await destination.publish(forwardMessage({ webhookId: 'msg_3', type: 'x.y', body }));
    expect(result).toEqual({ ok: true, duplicate: false });
    const got = await channel.get(queue, { noAck: true });
    expect(got !== false && got.properties.messageId).toBe('msg_3');
  });
});
