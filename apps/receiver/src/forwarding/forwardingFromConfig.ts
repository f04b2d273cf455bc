// The destinations the configuration names (FORWARD_*), and the outbox routes the store writes for
// them: the one place a destination kind is registered. A broker's client is loaded only when its
// destination is configured: a receiver that forwards nowhere starts without NATS's or AMQP's.
import type { ReceiverConfig } from '../config.js';
import { type Destination, redactUrl } from './Destination.js';
import { HttpDestination } from './http/HttpDestination.js';
import type { OutboxRoute } from './outbox/OutboxRoute.js';

export interface ConfiguredForwarding {
  destinations: Destination[];
  /** For openStore: the outbox rows each eligible event gets. */
  routes: OutboxRoute[];
  /** Each destination as logs may show it (credentials removed). */
  described: Record<string, string>;
}

/**
 * @example
 * const forwarding = await forwardingFromConfig(config);
 * const store = await openStore(config.database, { outboxRoutes: forwarding.routes });
 * createReceiver({ store, ..., forwarding: { destinations: forwarding.destinations } });
 */
export async function forwardingFromConfig(config: ReceiverConfig): Promise<ConfiguredForwarding> {
  const destinations: Destination[] = [];
  const described: Record<string, string> = {};
  const timeoutMs = config.forwardTimeoutMs;
  if (config.forwardNatsUrl !== null) {
    const { NatsDestination } = await import('./nats/NatsDestination.js');
    destinations.push(
      new NatsDestination({
        url: config.forwardNatsUrl,
        stream: config.forwardNatsStream,
        subject: config.forwardNatsSubject,
        types: config.forwardNatsTypes,
        timeoutMs,
      }),
    );
    described.nats = `${redactUrl(config.forwardNatsUrl)} stream ${config.forwardNatsStream}`;
  }
  if (config.forwardAmqpUrl !== null) {
    const { AmqpDestination } = await import('./amqp/AmqpDestination.js');
    destinations.push(
      new AmqpDestination({
        url: config.forwardAmqpUrl,
        exchange: config.forwardAmqpExchange,
        types: config.forwardAmqpTypes,
        timeoutMs,
      }),
    );
    described.amqp = `${redactUrl(config.forwardAmqpUrl)} exchange ${config.forwardAmqpExchange}`;
  }
  if (config.forwardHttpUrl !== null && config.forwardHttpSecret !== null) {
    destinations.push(
      new HttpDestination({
        url: config.forwardHttpUrl,
        secret: config.forwardHttpSecret,
        types: config.forwardHttpTypes,
        timeoutMs,
      }),
    );
    described.http = redactUrl(config.forwardHttpUrl);
  }
  return {
    destinations,
    routes: destinations.map((d) => ({ destination: d.name, types: d.types })),
    described,
  };
}
