// A JetStream consumer of the receiver's forwarded events (stream WHOP, subjects `whop.<type>`): a
// durable pull consumer with explicit acks, so its position survives restarts and an event is
// removed only once handled. Per message: a body that breaks the contract is terminated (never
// redelivered) and reported; a `Nats-Msg-Id` (the webhook-id) already handled is acked and
// skipped; anything else is handled, remembered, then acked. A handler that throws gets a nak:
// the server redelivers after `retryDelayMs`. Messages are handled one at a time.
import { AckPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { formatContractError, validateEvent } from '@webhook-contracts/schema';
import { type EventHandler, parseJson, type Rejection } from './ConsumedEvent.js';
import type { SeenIds } from './SeenIds.js';

export interface NatsConsumerOptions {
  servers: string;
  /** The receiver's FORWARD_NATS_STREAM (default `WHOP`). */
  stream: string;
  /** The consumer's durable name: one per service, shared by its instances. */
  durable: string;
  /** `whop.>` for every type, `whop.payment.*` for some. */
  filterSubject: string;
  seen: SeenIds;
  handle: EventHandler;
  onRejected: (rejection: Rejection) => void;
  /** How long the server waits for an ack before it redelivers (default 30 s). */
  ackWaitMs?: number;
  retryDelayMs?: number;
}

/** Subscribes and handles messages until `stop()`. */
export async function startNatsConsumer(o: NatsConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const nc = await connect({ servers: o.servers, maxReconnectAttempts: -1 });
  await (await jetstreamManager(nc)).consumers.add(o.stream, {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: o.filterSubject,
    ack_wait: nanos(o.ackWaitMs ?? 30_000),
  });
  const consumer = await jetstream(nc).consumers.get(o.stream, o.durable);
  const messages = await consumer.consume({ max_messages: 64 });
  const onMessage = async (m: JsMsg): Promise<void> => {
    const id = m.headers?.get('Nats-Msg-Id') ?? '';
    const result = validateEvent(parseJson(m.data));
    if (result.kind === 'invalid' || id === '') {
      const reason =
        result.kind === 'invalid' ? result.errors.map(formatContractError).join('; ') : 'no Nats-Msg-Id';
      // No reason on the +TERM itself: servers before 2.10.4 ignore a +TERM that carries one.
      m.term();
      return o.onRejected({ id, reason });
    }
    if (await o.seen.has(id)) return m.ack();
    const h = m.headers!;
    await o.handle({
      id,
      cloudEvent: {
        type: h.get('ce-type'),
        source: h.get('ce-source'),
        time: h.get('ce-time') || undefined,
        specversion: h.get('ce-specversion'),
      },
      payload: result,
    });
    await o.seen.add(id);
    m.ack();
  };
  const running = (async () => {
    for await (const m of messages) {
      // A handler (or the dedupe store) that failed: the server redelivers after a pause.
      await onMessage(m).catch(() => m.nak(o.retryDelayMs ?? 5_000));
    }
  })();
  return {
    async stop() {
      await messages.close();
      await running;
      await nc.drain();
    },
  };
}
