// A RabbitMQ consumer of the receiver's forwarded events: a durable queue bound to the durable
// topic exchange (`whop`, routing key = event type), manual acks and a prefetch window, messages
// handled one at a time in delivery order. Per message: a body that breaks the contract is
// nacked without requeue, so RabbitMQ dead-letters it to `<queue>.invalid` (kept for inspection),
// and reported; a `message_id` (the webhook-id) already handled is acked and skipped; anything
// else is handled, remembered, then acked. A handler that throws gets its message requeued after
// `retryDelayMs`. amqplib does not reconnect: keepAmqpConsumer starts a new consumer when `closed`
// resolves (what was not acked is delivered again).
import { formatContractError, validateEvent } from '@webhook-contracts/schema';
import amqp, { type ConsumeMessage } from 'amqplib';
import { type EventHandler, parseJson, type Rejection } from './ConsumedEvent.js';
import type { SeenIds } from './SeenIds.js';

export interface AmqpConsumerOptions {
  url: string;
  /** The receiver's FORWARD_AMQP_EXCHANGE (default `whop`). */
  exchange: string;
  /** The service's queue; `<queue>.invalid` is its dead-letter queue. */
  queue: string;
  /** `#` for every type, `payment.*` for some. */
  bindingKeys: readonly string[];
  seen: SeenIds;
  handle: EventHandler;
  onRejected: (rejection: Rejection) => void;
  /** Unacknowledged messages the broker sends ahead (default 32). */
  prefetch?: number;
  retryDelayMs?: number;
  /** The name RabbitMQ shows for the connection (management UI, `rabbitmqctl list_connections`). */
  connectionName?: string;
}

export interface AmqpConsumer {
  stop(): Promise<void>;
  /** Resolves once the connection is gone: stopped, or lost with the broker. */
  closed: Promise<void>;
}

/** Declares the queues and bindings, then handles messages until `stop()`. */
export async function startAmqpConsumer(o: AmqpConsumerOptions): Promise<AmqpConsumer> {
  const connection = await amqp.connect(
    o.url,
    o.connectionName === undefined ? {} : { clientProperties: { connection_name: o.connectionName } },
  );
  // A lost connection emits 'error' and then 'close': `closed` reports it.
  connection.on('error', () => {});
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
  const channel = await connection.createChannel();
  const invalid = `${o.queue}.invalid`;
  await channel.assertExchange(o.exchange, 'topic', { durable: true });
  await channel.assertQueue(invalid, { durable: true });
  // Dead letters go through the default exchange, whose routing key is the queue's name.
  await channel.assertQueue(o.queue, {
    durable: true,
    deadLetterExchange: '',
    deadLetterRoutingKey: invalid,
  });
  for (const key of o.bindingKeys) await channel.bindQueue(o.queue, o.exchange, key);
  await channel.prefetch(o.prefetch ?? 32);

  const onMessage = async (m: ConsumeMessage): Promise<void> => {
    const id = typeof m.properties.messageId === 'string' ? m.properties.messageId : '';
    const result = validateEvent(parseJson(m.content));
    if (result.kind === 'invalid' || id === '') {
      channel.nack(m, false, false);
      o.onRejected({
        id,
        reason:
          result.kind === 'invalid' ? result.errors.map(formatContractError).join('; ') : 'no message_id',
      });
      return;
    }
    if (await o.seen.has(id)) return channel.ack(m);
    const h = (m.properties.headers ?? {}) as Record<string, string | undefined>;
    await o.handle({
      id,
      cloudEvent: {
        type: String(h['cloudEvents_type']),
        source: String(h['cloudEvents_source']),
        time: h['cloudEvents_time'],
        specversion: String(h['cloudEvents_specversion']),
      },
      payload: result,
    });
    await o.seen.add(id);
    channel.ack(m);
  };

  // A handler (or the dedupe store) that failed: the message is requeued after a pause.
  const retryLater = async (m: ConsumeMessage) => {
    await new Promise((resolve) => setTimeout(resolve, o.retryDelayMs ?? 5_000));
    try {
      channel.nack(m, false, true);
    } catch {
      // The channel closed meanwhile: RabbitMQ requeues what it had not seen acked.
    }
  };
  let handled = Promise.resolve();
  const { consumerTag } = await channel.consume(o.queue, (m) => {
    if (m === null) return; // the queue was deleted
    handled = handled.then(() => onMessage(m)).catch(() => retryLater(m));
  });
  return {
    closed,
    async stop() {
      await channel.cancel(consumerTag);
      await handled;
      await connection.close();
    },
  };
}
